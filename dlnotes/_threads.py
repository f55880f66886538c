"""One BLAS thread for many small matrix operations.

On a two-core machine whose cores are busy (a notebook training while another computes), OpenBLAS's
threads wait for each other at every small step: products of 128 x 128 matrices and the decomposition
of a 784 x 784 matrix were measured 10 to 15 times slower than on one thread. Alone, one thread is
about as fast. Large products outside this context still use every thread.
"""

from threadpoolctl import threadpool_limits


def one_blas_thread():
    """Context manager: numpy's BLAS/LAPACK run on a single thread inside it."""
    return threadpool_limits(limits=1, user_api="blas")
