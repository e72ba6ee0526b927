"""Reading the tensors of a `torch.save` file without PyTorch, and without
running any code from it.

pytorch-fid ships the FID Inception's weights as a PyTorch state dict. JAX and
TensorFlow users should not need PyTorch to read 24 million floats, and a
pickle must not be trusted to run code: the unpickler here knows only what a
state dict is made of (an `OrderedDict`, tensors, typed storages) and refuses
anything else. Both of PyTorch's formats are read: the zip archive of
PyTorch >= 1.6 and the earlier sequence of pickles followed by raw storages.
"""

import io
import pickle
import zipfile

import numpy as np

_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_STORAGE_DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
}


class _Storage:
    """A typed storage whose bytes are read once they are known."""

    def __init__(self, dtype):
        self.dtype = np.dtype(dtype)
        self.array = None


class _Tensor:
    """`torch._utils._rebuild_tensor_v2`'s arguments, made an array later."""

    def __init__(self, storage, offset, size, stride, *unused):
        del unused  # requires_grad, backward hooks, metadata
        self.storage, self.offset = storage, offset
        self.size, self.stride = tuple(size), tuple(stride)

    def numpy(self):
        data = self.storage.array
        if not self.size:
            return data[self.offset].copy()
        item = data.itemsize
        view = np.lib.stride_tricks.as_strided(
            data[self.offset :],
            shape=self.size,
            strides=[s * item for s in self.stride],
        )
        return np.array(view)


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, storages, load_storage):
        super().__init__(file)
        self._storages = storages
        self._load_storage = load_storage

    def find_class(self, module, name):
        if (module, name) == ("collections", "OrderedDict"):
            import collections

            return collections.OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _Tensor
        if module == "torch" and name in _STORAGE_DTYPES:
            return _STORAGE_DTYPES[name]
        raise pickle.UnpicklingError(
            f"a state dict holds tensors only; this file refers to {module}.{name}"
        )

    def persistent_load(self, saved_id):
        if not (isinstance(saved_id, tuple) and saved_id and saved_id[0] == "storage"):
            raise pickle.UnpicklingError(f"unknown persistent id {saved_id!r}")
        dtype, key = saved_id[1], str(saved_id[2])
        if key not in self._storages:
            self._storages[key] = _Storage(dtype)
            self._load_storage(key, self._storages[key])
        return self._storages[key]


def load_state_dict(path):
    """The tensors of a `torch.save` state dict at `path`, as numpy arrays.

    Raises:
        ValueError: the file is not a state dict of tensors.
    """
    try:
        if zipfile.is_zipfile(path):
            state = _load_zip(path)
        else:
            state = _load_legacy(path)
    except (pickle.UnpicklingError, EOFError, KeyError, ValueError) as error:
        raise ValueError(f"{path} is not a PyTorch state dict: {error}") from error
    if not isinstance(state, dict) or not all(
        isinstance(v, _Tensor) for v in state.values()
    ):
        raise ValueError(f"{path} is not a PyTorch state dict of tensors")
    return {key: tensor.numpy() for key, tensor in state.items()}


def _load_zip(path):
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        (pickled,) = [n for n in names if n.endswith("/data.pkl")]
        prefix = pickled[: -len("data.pkl")]

        def load_storage(key, storage):
            data = archive.read(f"{prefix}data/{key}")
            storage.array = np.frombuffer(data, storage.dtype.newbyteorder("<"))

        file = io.BytesIO(archive.read(pickled))
        return _Unpickler(file, {}, load_storage).load()


def _load_legacy(path):
    storages = {}
    with open(path, "rb") as f:
        header = _Unpickler(f, storages, lambda key, storage: None)
        if header.load() != _LEGACY_MAGIC:
            raise ValueError("neither a zip archive nor PyTorch's legacy format")
        header.load()  # protocol version
        header.load()  # system information
        state = _Unpickler(f, storages, lambda key, storage: None).load()
        keys = _Unpickler(f, storages, lambda key, storage: None).load()
        for key in keys:
            storage = storages[str(key)]
            # Each storage: its element count (int64), then its raw bytes.
            (count,) = np.frombuffer(f.read(8), "<i8")
            size = int(count) * storage.dtype.itemsize
            data = f.read(size)
            if len(data) != size:
                raise ValueError("the file ends inside a storage")
            storage.array = np.frombuffer(data, storage.dtype.newbyteorder("<"))
    return state
