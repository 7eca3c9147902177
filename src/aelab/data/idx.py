"""Reader for the IDX format of MNIST-like datasets (http://yann.lecun.com/exdb/mnist/).

Header: two zero bytes, a type code (0x08 = unsigned byte), the number of
dimensions, then one big-endian uint32 per dimension; the data follow.
"""

from __future__ import annotations

import gzip
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from pathlib import Path

UNSIGNED_BYTE = 0x08


def read_idx(path: Path) -> np.ndarray:
    """The array stored in a (gzipped) IDX file, shape from its header."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as stream:
        payload = stream.read()
    if len(payload) < 4 or payload[0:2] != b"\x00\x00" or payload[2] != UNSIGNED_BYTE:
        raise ValueError(f"{path}: not an unsigned-byte IDX file (bad magic number)")
    ndim = payload[3]
    header_end = 4 + 4 * ndim
    shape = tuple(int(d) for d in np.frombuffer(payload[4:header_end], dtype=">u4"))
    data = np.frombuffer(payload, dtype=np.uint8, offset=header_end)
    if data.size != int(np.prod(shape)):
        raise ValueError(f"{path}: header announces shape {shape} but holds {data.size} values")
    return data.reshape(shape)
