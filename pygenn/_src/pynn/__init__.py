"""A PyNN backend running on pygenn: ``import pygenn.pynn as sim``.

Implements PyNN 0.13's simulator API (setup/run/end, Population, PopulationView, Assembly,
Projection, recording to Neo) with GeNN models for the standard cell types IF_curr_exp,
IF_curr_alpha, IF_cond_exp, IF_cond_alpha, SpikeSourcePoisson and SpikeSourceArray, and the
synapse types StaticSynapse and STDPMechanism (SpikePairRule + AdditiveWeightDependence).
"""
from pyNN import errors, random, space  # noqa: F401
from pyNN.connectors import (  # noqa: F401
    ArrayConnector,
    CloneConnector,
    DisplacementDependentProbabilityConnector,
    DistanceDependentProbabilityConnector,
    FixedNumberPostConnector,
    FixedNumberPreConnector,
    FixedProbabilityConnector,
    FixedTotalNumberConnector,
    FromFileConnector,
    FromListConnector,
    IndexBasedProbabilityConnector,
    SmallWorldConnector,
)
from pyNN.network import Network  # noqa: F401
from pyNN.random import GSLRNG, NumpyRNG, RandomDistribution  # noqa: F401
from pyNN.recording import get_io  # noqa: F401
from pyNN.space import Space  # noqa: F401
from pyNN.standardmodels import StandardCellType

from .connectors import AllToAllConnector, OneToOneConnector  # noqa: F401
from .control import (  # noqa: F401
    end,
    get_current_time,
    get_max_delay,
    get_min_delay,
    get_time_step,
    initialize,
    num_processes,
    rank,
    reset,
    run,
    run_for,
    run_until,
    setup,
)
from .populations import Assembly, Population, PopulationView  # noqa: F401
from .procedural_api import connect, create, record, record_gsyn, record_v  # noqa: F401
from .projections import Projection  # noqa: F401
from .standardmodels import (  # noqa: F401
    AdditiveWeightDependence,
    IF_cond_alpha,
    IF_cond_exp,
    IF_curr_alpha,
    IF_curr_exp,
    SpikePairRule,
    SpikeSourceArray,
    SpikeSourcePoisson,
    StaticSynapse,
    STDPMechanism,
)


def list_standard_models():
    """Names of the standard cell types this backend simulates."""
    return [obj.__name__ for obj in globals().values()
            if isinstance(obj, type) and issubclass(obj, StandardCellType)
            and obj is not StandardCellType]
