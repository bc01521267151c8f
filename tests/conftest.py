import os
import tempfile

import numpy as np
import pytest

# The suite never touches the user's own cache or cache key: both live in a private folder.
_PRIVATE = tempfile.mkdtemp(prefix="lazyrich-tests-")
os.environ.setdefault("LAZYRICH_CACHE_KEY_FILE", os.path.join(_PRIVATE, "cache.key"))
os.environ.setdefault("LAZYRICH_CACHE_DIR", os.path.join(_PRIVATE, "cache"))


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
