"""The FAISS index of chunk vectors: exact up to a size, approximate (IVF) beyond it.

Exact inner product (`IndexIDMap2(IndexFlatIP)`) costs a scan of every vector per question:
~6 ms at 100k chunks but ~180 ms at 1M on this project's 2-core machine (BENCHMARKS.md). Past
`APPROXIMATE_ABOVE` chunks a generation switches itself to an inverted-file index (`IndexIVFFlat`,
inner product, √n lists) that scans `NPROBE` of its lists; measured recall@10 against exact search:
0.972 at 100k chunks (316 lists, 1.0 ms) and 0.956 at 1M (BENCHMARKS.md). It keeps ids of its own (a hash-table
direct map), so incremental updates add, remove and reconstruct vectors just as with the exact
index. The lists are trained when the index switches and on every full rebuild; the chosen kind is
recorded in the manifest.
"""

from __future__ import annotations

import math
from typing import Any

import faiss
import numpy as np

from index.manifest import EXACT_INDEX as EXACT

# Chunks; below this, exact search is fast enough (~3 ms at 50k) and needs no training. 100k was
# exact until the keyword bound made dense search a fifth of a 100k search (5.7 ms of ~30).
APPROXIMATE_ABOVE = 50_000
BACK_TO_EXACT_BELOW = APPROXIMATE_ABOVE // 2  # hysteresis: a shrinking index returns to exact search
NPROBE = 32  # at 1M chunks on SciFact claims: recall@10 0.935 at 16, 0.956 at 32 (2.2 ms), 0.978 at 64 (4.2 ms)
TRAIN_PER_LIST = 40
EXACT_FILTER_UP_TO = 20_000  # a filtered search over at most this many chunks scores them all exactly


def new_exact(dimension: int) -> faiss.Index:
    """An empty exact index that keeps the ids it is given."""
    return faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))


def describe(index: faiss.Index) -> str:
    """What the manifest says about the kind of index."""
    ivf = _as_ivf(index)
    if ivf is None:
        return EXACT
    return f"IndexIVFFlat({ivf.nlist} lists, nprobe {ivf.nprobe}): approximate inner product on unit vectors"


def fitted(index: faiss.Index, dimension: int, retrain: bool) -> faiss.Index:
    """The index to publish for its current size: switched to IVF above APPROXIMATE_ABOVE, back to
    exact below BACK_TO_EXACT_BELOW, or rebuilt with fresh lists when `retrain` (a full rebuild)."""
    ivf = _as_ivf(index)
    n = index.ntotal
    if ivf is None and n > APPROXIMATE_ABOVE:
        return _approximate(*_all_vectors(index, dimension))
    if ivf is not None and n < BACK_TO_EXACT_BELOW:
        vectors, ids = _all_vectors(index, dimension)
        exact = new_exact(dimension)
        exact.add_with_ids(vectors, ids)
        return exact
    if ivf is not None and retrain:
        return _approximate(*_all_vectors(index, dimension))
    return index


def _approximate(vectors: np.ndarray, ids: np.ndarray) -> faiss.Index:
    n, dimension = vectors.shape
    lists = max(64, int(math.sqrt(n)))
    rng = np.random.default_rng(0)  # the same corpus trains the same lists
    sample = vectors[rng.choice(n, min(n, TRAIN_PER_LIST * lists), replace=False)]
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dimension), dimension, lists, faiss.METRIC_INNER_PRODUCT)
    index.train(sample)
    index.set_direct_map_type(faiss.DirectMap.Hashtable)  # type: ignore[attr-defined]  # not in the stubs
    index.nprobe = NPROBE
    index.add_with_ids(vectors, ids)
    return index


def _as_ivf(index: faiss.Index) -> faiss.IndexIVF | None:
    try:
        return faiss.extract_index_ivf(index)
    except RuntimeError:
        return None


def _all_vectors(index: Any, dimension: int) -> tuple[np.ndarray, np.ndarray]:
    """Every (vector, id) of an exact or IVF index (faiss's stubs do not type these accessors)."""
    ivf: Any = _as_ivf(index)
    if ivf is None:
        ids = faiss.vector_to_array(index.id_map).astype(np.int64)
        flat: Any = faiss.downcast_index(index.index)
        vectors = faiss.rev_swig_ptr(flat.get_xb(), index.ntotal * dimension).reshape(index.ntotal, dimension)
        return np.ascontiguousarray(vectors, dtype=np.float32), ids
    invlists = ivf.invlists
    all_ids, all_vectors = [], []
    for lst in range(ivf.nlist):
        size = invlists.list_size(lst)
        if size:
            all_ids.append(faiss.rev_swig_ptr(invlists.get_ids(lst), size).copy())
            codes = faiss.rev_swig_ptr(invlists.get_codes(lst), size * dimension * 4)
            all_vectors.append(np.frombuffer(codes.tobytes(), dtype=np.float32).reshape(size, dimension))
    if not all_ids:
        return np.zeros((0, dimension), dtype=np.float32), np.zeros(0, dtype=np.int64)
    return np.ascontiguousarray(np.vstack(all_vectors)), np.concatenate(all_ids).astype(np.int64)


def for_search(index: Any) -> Any:
    """An index read from disk, set to search as this version does: an IVF index scans NPROBE lists
    whatever it was saved with (a search-time setting: changing it needs no rebuild)."""
    ivf = _as_ivf(index)
    if ivf is not None:
        ivf.nprobe = NPROBE
    return index


def search_within(index: Any, query: np.ndarray, allowed: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k nearest of the `allowed` ids only (a collection or document filter): (scores, ids).

    Up to EXACT_FILTER_UP_TO ids the vectors are read back and scored exactly, whatever the kind of
    index (an IVF search would only see the allowed vectors in the lists it probes); beyond that,
    FAISS searches with an id selector (the allowed vectors are then spread over every list)."""
    query = query.reshape(1, -1).astype(np.float32)
    k = min(k, len(allowed))
    if k <= 0:
        return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
    if len(allowed) <= EXACT_FILTER_UP_TO:
        vectors = index.reconstruct_batch(allowed)
        scores = vectors @ query[0]
        top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        top = top[np.argsort(-scores[top], kind="stable")]
        return scores[top], allowed[top]
    selector = faiss.IDSelectorBatch(allowed)
    ivf = _as_ivf(index)
    params: Any = faiss.SearchParametersIVF() if ivf else faiss.SearchParameters()  # the stubs lack their fields
    params.sel = selector
    if ivf:
        params.nprobe = ivf.nprobe
    scores, ids = index.search(query, k, params=params)
    keep = ids[0] >= 0
    return scores[0][keep], ids[0][keep]


def one_thread_per_search() -> None:
    """Make FAISS search with one thread. A search is one question at a time: handing it to an
    OpenMP team costs more than it saves (10k chunks: 0.44 ms on one thread, 0.6 ms on two; 1M:
    64 ms against 186 ms on the loaded 2-core machine, BENCHMARKS.md), and the other core stays
    free for the next reader's question."""
    faiss.omp_set_num_threads(1)
