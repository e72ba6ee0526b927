"""Files: atomic writes, writable-folder checks up front, `.npz` archives.

A crash mid-write never leaves a half-written file or folder.

Everything is written to a temporary path beside the target (same file system)
and renamed into place. A folder that replaces an existing one is swapped in
with Linux's `renameat2(RENAME_EXCHANGE)`, so the target path always holds a
whole folder, the old or the new; where that call is missing (other systems,
other file systems) the old folder is moved aside first, which leaves a short
window in which the path is empty but never holds a partial folder.
"""

import contextlib
import ctypes
import ctypes.util
import errno
import os
import re
import shutil
import tempfile
import zipfile

import numpy as np

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _load_renameat2():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    function.restype = ctypes.c_int
    return function


_renameat2 = _load_renameat2()


def exchange_paths(a, b):
    """Atomically swaps two existing paths. Returns False if unsupported here."""
    if _renameat2 is None:
        return False
    result = _renameat2(
        _AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE
    )
    if result == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(error, os.strerror(error), a)


def _fsync_tree(root):
    for folder, _, files in os.walk(root):
        for name in files:
            with open(os.path.join(folder, name), "rb") as f:
                os.fsync(f.fileno())


def staging_prefix(stem):
    """The name prefix of this process's temporary copies of `stem`.

    It carries the process id, so that a later writer can tell a copy that a
    live process is still writing from one that a killed process left behind.
    """
    return f"{stem}-wk{os.getpid()}-"


def _process_is_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def remove_stale_staging(parent, stem):
    """Removes the temporary copies of `stem` left in `parent` by dead writers.

    A process killed while writing (SIGKILL, power loss) leaves its staging
    folder or file behind; the next writer of the same target removes it.
    Copies of live processes, concurrent writers included, are kept.

    Args:
        parent: the folder that holds the copies.
        stem: the name their `staging_prefix` was made from.

    Returns:
        The paths removed.
    """
    pattern = re.compile(rf"{re.escape(stem)}-wk(\d+)-")
    removed = []
    try:
        names = os.listdir(parent)
    except FileNotFoundError:
        return removed
    for name in names:
        match = pattern.match(name)
        if not match or _process_is_alive(int(match.group(1))):
            continue
        path = os.path.join(parent, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)
        removed.append(path)
    return removed


def _prepare(target, overwrite):
    """`(target, parent, name)`: refused if it exists unless `overwrite`, its
    folder made."""
    target = os.path.abspath(os.fspath(target))
    if os.path.lexists(target) and not overwrite:
        raise FileExistsError(
            f"{target} exists; pass overwrite=True to replace it. "
            f"Received: overwrite={overwrite!r}"
        )
    parent, name = os.path.split(target)
    os.makedirs(parent, exist_ok=True)
    return target, parent, name


@contextlib.contextmanager
def staged_directory(target, overwrite=False):
    """Yields an empty temporary folder that replaces `target` on success.

    The folder is created beside `target` with a hidden name
    (`.<name>-wk<pid>-...`, which TF Serving and the preset loader ignore). If
    the block raises, it is removed and `target` is untouched; folders that
    killed writers left beside `target` are removed first.

    Args:
        target: the folder to create or replace.
        overwrite: bool, whether an existing `target` may be replaced. If
            False and it exists, `FileExistsError` is raised before anything is
            written.

    Example:

    ```python
    with staged_directory("export/mnist/1") as staging:
        write_everything_into(staging)
    ```
    """
    target, parent, name = _prepare(target, overwrite)
    remove_stale_staging(parent, f".{name}")
    staging = tempfile.mkdtemp(prefix=staging_prefix(f".{name}"), dir=parent)
    try:
        os.chmod(staging, 0o755)  # mkdtemp makes it private
        yield staging
        _fsync_tree(staging)
        if not os.path.lexists(target):
            os.replace(staging, target)
        elif exchange_paths(staging, target):
            shutil.rmtree(staging)  # now the old folder
        else:
            old = f"{staging}.old"
            os.replace(target, old)
            os.replace(staging, target)
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


@contextlib.contextmanager
def staged_file(target, overwrite=True):
    """Yields a temporary path whose file replaces `target` on success.

    The temporary name keeps `target`'s extension (Keras checks `.keras` and
    `.weights.h5`). The file is fsynced before the rename; if the block
    raises, it is removed and `target` is untouched. Temporary files that
    killed writers left beside `target` are removed first.

    Args:
        target: the file to create or replace.
        overwrite: bool, whether an existing `target` may be replaced. If
            False and it exists, `FileExistsError` is raised before anything is
            written.

    Example:

    ```python
    with staged_file("run/generator.keras") as tmp:
        generator.save(tmp)
    ```
    """
    target, parent, name = _prepare(target, overwrite)
    stem, dot, extension = name.partition(".")
    remove_stale_staging(parent, f".{stem}")
    fd, tmp = tempfile.mkstemp(
        prefix=staging_prefix(f".{stem}"), suffix=f"{dot}{extension}", dir=parent
    )
    os.close(fd)
    os.remove(tmp)  # writers such as Keras' save refuse some existing files
    try:
        yield tmp
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        raise


def write_text(path, text):
    """Writes `text` to `path` atomically (temporary file, fsync, rename)."""
    with staged_file(path) as tmp:
        with open(tmp, "w") as f:
            f.write(text)


def check_writable_folder(name, path):
    """Makes folder `path` and raises unless a file can be written in it.

    Called where training starts, so that a folder a callback writes to only
    after an epoch is refused before any work is done.
    """
    try:
        os.makedirs(path, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".wk-probe-"):
            pass
    except OSError as error:
        raise ValueError(
            f"`{name}` must be a folder that can be written to. Received: "
            f"{name}={os.fspath(path)!r} ({error.strerror or error})"
        ) from error


def open_npz(path, name):
    """`np.load` of a .npz archive, refusing other files with a clear message.

    numpy tries any file that is not an archive as a pickle, and its refusal
    (`allow_pickle=False`) does not say that the file is not a .npz at all.
    """
    if not zipfile.is_zipfile(path):
        raise ValueError(
            f"`{name}` must be a .npz archive (a zip of .npy arrays). Received: "
            f"{name}={os.fspath(path)!r}, which is not one"
        )
    return np.load(path, allow_pickle=False)
