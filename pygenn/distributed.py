"""One model over several ranks (pygenn extension; issue 16).

A PyGeNN script becomes distributed without changes when started by the launcher::

    python -m pygenn.distributed -n 3 script.py      # 3 processes on this machine
    PYGENN_DISTRIBUTION=mpi mpirun -n 3 python script.py    # needs pip install "pygenn[mpi]"

or with ``GeNNModel(..., distribution="mpi", partition={"exc": 0, "inh": 1})`` in the script.
Each rank simulates some neuron populations (and the synapse groups that target them) and
exchanges spikes every step; results are identical to one rank for the same seed.
``run_ranks(function, n, *args)`` runs a function as ``n`` ranks (tests, notebooks).
"""
from ._src.distributed.launch import main, run_ranks
from ._src.distributed.model import DistributedGeNNModel
from ._src.distributed.partition import assign as assign_partition
from ._src.distributed.support import DistributionError
from ._src.distributed.transport import (LocalProcesses, Mpi, RankFailure, SingleRank,
                                         Transport)

__all__ = ["DistributedGeNNModel", "DistributionError", "LocalProcesses", "Mpi", "RankFailure",
           "SingleRank", "Transport", "assign_partition", "main", "run_ranks"]

if __name__ == "__main__":
    import sys
    sys.exit(main())
