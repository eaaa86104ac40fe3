"""Getting results out of a simulation: plots (``pygenn.plot``) and neo / NWB export
(``pygenn.io``). Everything here works on recorded spikes and on variable samples the user
collected; the third-party libraries it uses are optional and imported only when needed."""
