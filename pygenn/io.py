"""Export recorded spikes and collected variable values to neo and NWB (pygenn extension).

Needs neo and pynwb: ``pip install "pygenn[io]"``; they are imported when first used.
Spikes come from neuron populations whose spikes were recorded (after
``pull_recording_buffers_from_device()``) or from ``(times, ids)`` pairs of arrays. Variable
values are whatever the script collected: a list of ``(t, values)`` snapshots, or ``Samples``::

    from pygenn import io
    trace = []
    for _ in range(100):
        model.step_time(10)
        pop.vars["V"].pull_from_device()
        trace.append((model.t, pop.vars["V"].values.copy()))
    block = io.to_neo(pop, variables={"V": trace}, units={"V": "mV"})
    io.write_nwb("run.nwb", pop, variables={"V": trace}, units={"V": "mV"})

neo keeps pygenn's ms; NWB stores seconds.
"""
from ._src.results.neo_export import analog_signal, spike_trains, to_neo
from ._src.results.nwb_export import to_nwb, write_nwb
from ._src.results.samples import Samples

__all__ = ["Samples", "analog_signal", "spike_trains", "to_neo", "to_nwb", "write_nwb"]
