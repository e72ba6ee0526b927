"""`wk.metrics.fid_inception` against the `pytorch-fid` package's own network.

pytorch-fid (0.3.0) and the torchvision it builds on (0.28.0) are test
dependencies (`scripts/bootstrap.sh`). The only torchvision 0.28.0 wheel that
installs here is PyPI's CUDA build: its compiled operators (detection ops such
as `nms`) do not load beside the CPU build of torch 2.13.0 this project pins,
and torchvision's `_meta_registrations`, which registers fake kernels for those
operators, then fails at import. Nothing of Inception uses them, so the test
stands in an empty module for that one file; the network, its blocks, its
resize and its forward pass are pytorch-fid's and torchvision's own code.

Both networks get the same random weights (pytorch-fid's 2015-12-05 weights
cannot be downloaded here); their features must agree within 1e-4 on every
backend.
"""

import sys
import types

import numpy as np
import pytest

import wgan_keras as wk

sys.modules.setdefault(
    "torchvision._meta_registrations",
    types.ModuleType("torchvision._meta_registrations"),
)
torch = pytest.importorskip("torch")
torchvision = pytest.importorskip("torchvision")
pytorch_fid_inception = pytest.importorskip("pytorch_fid.inception")


@pytest.fixture(scope="module")
def reference():
    """pytorch-fid's `InceptionV3` (pool3) and its inner Inception, randomized."""
    patch = pytest.MonkeyPatch()
    built = []
    # fid_inception_v3() downloads the weights and loads them: load nothing,
    # keep the network it built.
    patch.setattr(pytorch_fid_inception, "load_state_dict_from_url", lambda *a, **k: 0)
    patch.setattr(
        torchvision.models.inception.Inception3,
        "load_state_dict",
        lambda self, *args, **kwargs: built.append(self),
    )
    try:
        network = pytorch_fid_inception.InceptionV3([3]).eval()
    finally:
        patch.undo()
    (inception,) = built
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for name, tensor in inception.state_dict().items():
            if name.endswith("num_batches_tracked"):
                continue
            if name.endswith("conv.weight") or name == "fc.weight":
                fan_in = tensor[0].numel()
                value = torch.randn(tensor.shape, generator=generator)
                value *= (2.0 / fan_in) ** 0.5
            elif name.endswith(("bn.weight", "running_var")):
                value = torch.rand(tensor.shape, generator=generator) + 0.5
            else:  # biases and running means
                value = 0.1 * torch.randn(tensor.shape, generator=generator)
            tensor.copy_(value)
    state = {k: v.numpy().copy() for k, v in inception.state_dict().items()}
    return network, inception, state


def reference_outputs(reference, images):
    network, inception, _ = reference
    x = torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2)))
    if x.shape[1] == 1:
        x = x.repeat(1, 3, 1, 1)
    with torch.no_grad():
        (pool,) = network((x + 1) / 2)  # pytorch-fid takes [0, 1]
        features = pool[:, :, 0, 0]
        logits = inception.fc(features)
    return features.numpy(), logits.numpy()


@pytest.mark.parametrize("shape", [(3, 32, 32, 3), (2, 28, 28, 1), (2, 64, 48, 3)])
def test_features_and_logits_match_pytorch_fid(reference, shape):
    images = np.random.default_rng(1).uniform(-1, 1, shape).astype("float32")
    expected_features, expected_logits = reference_outputs(reference, images)
    model = wk.metrics.fid_inception(weights=reference[2], include_logits=True)
    features, logits = wk.metrics.features(images, model)
    assert features.shape == (shape[0], 2048) and logits.shape == (shape[0], 1008)
    assert 0.1 < np.abs(expected_features).mean() < 10  # not vanished or blown up
    np.testing.assert_allclose(features, expected_features, rtol=0, atol=1e-4)
    np.testing.assert_allclose(logits, expected_logits, rtol=0, atol=1e-4)


def test_features_alone_by_default(reference):
    model = wk.metrics.fid_inception(weights=reference[2])
    images = np.zeros((2, 32, 32, 3), "float32")
    assert wk.metrics.features(images, model).shape == (2, 2048)


def test_weights_are_checked(tmp_path, reference):
    state = dict(reference[2])
    del state["Mixed_6a.branch3x3.conv.weight"]
    with pytest.raises(ValueError, match=r"without 'Mixed_6a.branch3x3.conv.weight'"):
        wk.metrics.fid_inception(weights=state)
    state = dict(reference[2], extra=np.zeros(3))
    with pytest.raises(ValueError, match=r"1 others, e.g. \['extra'\]"):
        wk.metrics.fid_inception(weights=state)
    # A file is hash-checked before it is read: pytorch-fid's SHA-256 prefix.
    path = tmp_path / "pt_inception-2015-12-05-6726825d.pth"
    torch.save({k: torch.from_numpy(v) for k, v in reference[2].items()}, path)
    with pytest.raises(ValueError, match=r"SHA-256 begins with 6726825d. Received"):
        wk.metrics.fid_inception(weights=str(path))
    with pytest.raises(ValueError, match=r"no such file"):
        wk.metrics.fid_inception(weights=str(tmp_path / "missing.pth"))


def test_missing_default_weights_fail_fast_offline(tmp_path, monkeypatch):
    module = sys.modules["wgan_keras.metrics.fid_inception"]
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(module, "can_reach", lambda host: False)
    with pytest.raises(RuntimeError, match=r"copy it to .*pt_inception-2015-12-05"):
        wk.metrics.fid_inception()


def test_inception_score_closed_forms():
    # Confident and spread evenly over k classes: exp(log k) = k.
    k = 10
    logits = np.full((100, 1008), -50.0)
    logits[np.arange(100), np.arange(100) % k] = 50.0
    np.testing.assert_allclose(wk.metrics.inception_score(logits, splits=1)[0], k)
    # The same prediction for every sample: KL = 0, score 1.
    same = np.tile(np.random.default_rng(0).normal(size=1008), (50, 1))
    score, spread = wk.metrics.inception_score(same, splits=5)
    np.testing.assert_allclose([score, spread], [1.0, 0.0], atol=1e-9)
    with pytest.raises(ValueError, match=r"`splits` must be an int in \[1, 50\]"):
        wk.metrics.inception_score(same, splits=51)


@pytest.mark.parametrize("zipped", [True, False])
def test_weight_files_are_read_without_torch_in_both_formats(tmp_path, zipped):
    from wgan_keras._utils.torch_files import load_state_dict

    state = {
        "weight": torch.randn(4, 3, 2, 2),
        "transposed": torch.randn(5, 3).t(),  # a non-contiguous view
        "count": torch.tensor(7),  # 0-d int64, as num_batches_tracked
        "half": torch.randn(3).half(),
    }
    path = tmp_path / "state.pth"
    torch.save(state, path, _use_new_zipfile_serialization=zipped)
    loaded = load_state_dict(str(path))
    assert sorted(loaded) == sorted(state)
    for key, tensor in state.items():
        np.testing.assert_array_equal(loaded[key], tensor.numpy())
        assert loaded[key].dtype == tensor.numpy().dtype


def test_a_weight_file_that_runs_code_is_refused(tmp_path):
    import pickle

    from wgan_keras._utils.torch_files import load_state_dict

    class RunsCode:
        def __reduce__(self):
            return (print, ("this ran",))

    path = tmp_path / "evil.pth"
    torch.save({"weight": torch.zeros(2), "evil": RunsCode()}, path)
    with pytest.raises(ValueError, match=r"refers to (__builtin__|builtins)\.print"):
        load_state_dict(str(path))
    path.write_bytes(pickle.dumps({"x": RunsCode()}))
    with pytest.raises(ValueError, match=r"not a PyTorch state dict"):
        load_state_dict(str(path))


def test_the_weights_file_path_gives_the_same_features(
    tmp_path, monkeypatch, reference
):
    # The real file's hash cannot be matched here: accept this file's instead.
    import hashlib

    path = tmp_path / "pt_inception-2015-12-05-6726825d.pth"
    torch.save({k: torch.from_numpy(v) for k, v in reference[2].items()}, path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    module = sys.modules["wgan_keras.metrics.fid_inception"]
    monkeypatch.setattr(module, "FID_WEIGHTS_SHA256_PREFIX", digest[:8])
    images = np.random.default_rng(2).uniform(-1, 1, (2, 32, 32, 3)).astype("float32")
    from_file = wk.metrics.fid_inception(weights=str(path))
    from_dict = wk.metrics.fid_inception(weights=reference[2])
    np.testing.assert_array_equal(
        wk.metrics.features(images, from_file), wk.metrics.features(images, from_dict)
    )
