"""Recorded spikes and collected variable samples into an NWB file (pynwb imported when used).

NWB keeps times in seconds: spike times and sample times are pygenn's ms divided by 1000.
Spikes go to the units table, one row per neuron (silent ones included) with columns
``population`` and ``neuron_id`` and the recording window as ``obs_intervals``; each variable
becomes a ``TimeSeries`` (with explicit timestamps) in the file's acquisition group.
"""
from __future__ import annotations

import datetime
import uuid

import numpy as np

from .neo_export import IO_EXTRA
from .optional import import_optional
from .samples import as_samples
from .spikes import collect_spikes

_PURPOSE = "pygenn.io (NWB export)"
_COLUMNS = {"population": "name of the pygenn population the neuron belongs to",
            "neuron_id": "index of the neuron in its pygenn population"}


def _pynwb():
    return import_optional("pynwb", IO_EXTRA, _PURPOSE)


def to_nwb(*spikes, variables=None, labels=None, num_neurons=None, units=None, batch=0,
           nwbfile=None, session_description="pygenn simulation", identifier=None,
           session_start_time=None):
    """An ``NWBFile`` (new, or ``nwbfile``) with spikes in its units table and variables as
    ``TimeSeries``.

    Parameters
    ----------
    *spikes : NeuronGroup or (times, ids)
        Populations with recorded spikes (buffers pulled), or arrays of spike times (ms) and
        neuron ids.
    variables : dict of str to Samples or sequence of (t, values), optional
        Collected variable values by name (a TimeSeries name: no "/").
    labels : sequence of str, optional
        ``population`` value per spike source; default the population names.
    num_neurons : int or sequence, optional
        Number of neurons per spike source given as arrays; default the largest id + 1.
    units : dict of str to str, optional
        Unit of each variable ("mV"); default "n/a".
    batch : int
        Batch of a batched model whose spikes are exported.
    nwbfile : pynwb.NWBFile, optional
        File to add to; default a new one made from the next three arguments.
    session_description : str
        Description of a new file.
    identifier : str, optional
        Identifier of a new file; default a random UUID.
    session_start_time : datetime.datetime, optional
        Start of the session of a new file (with a time zone); default now, in UTC.

    Returns
    -------
    pynwb.NWBFile
        The file, not yet written: write it with ``pynwb.NWBHDF5IO`` or use ``write_nwb``.
    """
    pynwb = _pynwb()
    if nwbfile is None:
        nwbfile = pynwb.NWBFile(
            session_description=session_description,
            identifier=identifier or str(uuid.uuid4()),
            session_start_time=session_start_time or datetime.datetime.now(
                datetime.timezone.utc))
    if spikes:
        _add_units(nwbfile, collect_spikes(spikes, labels, num_neurons, batch))
    units = units or {}
    for name, samples in (variables or {}).items():
        samples = as_samples(samples, name)
        nwbfile.add_acquisition(pynwb.TimeSeries(
            name=name, data=samples.values, unit=units.get(name, "n/a"),
            timestamps=samples.times / 1000.0,
            description=f"pygenn variable samples '{name}' (times converted from ms)"))
    return nwbfile


def write_nwb(path, *spikes, **options):
    """Write ``to_nwb(*spikes, **options)`` to the NWB (HDF5) file ``path``.

    Parameters
    ----------
    path : str or os.PathLike
        File to create (overwritten if it exists).
    *spikes, **options
        As for ``to_nwb``.

    Returns
    -------
    pynwb.NWBFile
        The file that was written.
    """
    pynwb = _pynwb()
    nwbfile = to_nwb(*spikes, **options)
    with pynwb.NWBHDF5IO(str(path), "w") as io:
        io.write(nwbfile)
    return nwbfile


def _add_units(nwbfile, groups) -> None:
    existing = nwbfile.units.colnames if nwbfile.units is not None else ()
    for column, description in _COLUMNS.items():
        if column not in existing:
            nwbfile.add_unit_column(column, description)
    for group in groups:
        window = [[group.t_start / 1000.0, group.t_stop / 1000.0]]
        for index, times in enumerate(group.times_of_neuron()):
            nwbfile.add_unit(spike_times=np.asarray(times) / 1000.0, obs_intervals=window,
                             population=group.label, neuron_id=index)
