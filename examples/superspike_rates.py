"""A SuperSpike-style learning loop: output LIF neurons learn their target firing rates.

50 Poisson inputs drive 4 output LIF neurons through plastic weights. Every step each output
neuron compares a low-pass trace of its own spikes with the trace its target rate would give,
and weighs the error by a surrogate derivative of its membrane potential (SuperSpike, Zenke &
Ganguli 2018). Each synapse integrates error x surrogate x presynaptic trace into ``dw``; after
every trial a custom update applies ``g += eta * dw`` and clears ``dw``. The printed loss
(integrated squared error per trial) falls as the rates approach their targets.

    python examples/superspike_rates.py [--trials 40] [--backend single_threaded_cpu]
"""
import argparse

import numpy as np

from pygenn import (GeNNModel, create_custom_update_model, create_neuron_model,
                    create_weight_update_model, create_wu_var_ref, init_postsynaptic, init_var,
                    init_weight_update)

TRIAL_MS = 500.0
TARGET_HZ = np.array([5.0, 10.0, 20.0, 40.0])

learner = create_neuron_model(
    "superspike_lif",
    params=["TauM", "Vrest", "Vthresh", "Vreset", "TauRefrac", "TauTrace", "Beta"],
    vars=[("V", "scalar"), ("RefracTime", "scalar"), ("trace", "scalar"),
          ("target", "scalar", ), ("errSig", "scalar"), ("loss", "scalar")],
    sim_code="""
    if (RefracTime <= 0.0) {
        V += (dt / TauM) * (Vrest - V + Isyn);
    }
    else {
        RefracTime -= dt;
    }
    trace *= exp(-dt / TauTrace);
    const scalar err = target - trace;
    const scalar surrogate = 1.0 / ((1.0 + fabs(Beta * (V - Vthresh)))
                                    * (1.0 + fabs(Beta * (V - Vthresh))));
    errSig = err * surrogate;
    loss += err * err * dt;
    """,
    threshold_condition_code="RefracTime <= 0.0 && V >= Vthresh",
    reset_code="V = Vreset; RefracTime = TauRefrac; trace += 1.0;")

superspike = create_weight_update_model(
    "superspike",
    params=["TauPre"],
    vars=[("g", "scalar"), ("dw", "scalar")],
    pre_vars=[("x", "scalar")],
    post_neuron_var_refs=[("errSig", "scalar")],
    pre_spike_syn_code="addToPost(g);",
    pre_spike_code="x += 1.0;",
    pre_dynamics_code="x *= exp(-dt / TauPre);",
    synapse_dynamics_code="dw += x * errSig * dt;")

apply_gradient = create_custom_update_model(
    "apply_gradient", params=["eta"], var_refs=[("g", "scalar"), ("dw", "scalar")],
    update_code="g += eta * dw; dw = 0.0;")


def build(backend):
    model = GeNNModel("float", "superspike_rates", backend=backend)
    model.dt = 1.0
    model.seed = 2024
    inputs = model.add_neuron_population("inputs", 50, "Poisson", {"rate": 20.0},
                                         {"timeStepToSpike": 0.0})
    tau_trace = 50.0
    outputs = model.add_neuron_population(
        "outputs", len(TARGET_HZ), learner,
        {"TauM": 10.0, "Vrest": 0.0, "Vthresh": 1.0, "Vreset": 0.0, "TauRefrac": 2.0,
         "TauTrace": tau_trace, "Beta": 5.0},
        {"V": 0.0, "RefracTime": 0.0, "trace": 0.0,
         # the trace's mean at the target rate: rate * tau
         "target": TARGET_HZ * tau_trace / 1000.0, "errSig": 0.0, "loss": 0.0})
    synapses = model.add_synapse_population(
        "plastic", "DENSE", inputs, outputs,
        init_weight_update(superspike, {"TauPre": 10.0},
                           {"g": init_var("Uniform", {"min": 0.0, "max": 0.05}), "dw": 0.0},
                           {"x": 0.0}, post_var_refs={"errSig": "errSig"}),
        init_postsynaptic("ExpCurr", {"tau": 5.0}))
    model.add_custom_update("apply", "apply", apply_gradient, {"eta": 0.002}, {},
                            {"g": create_wu_var_ref(synapses, "g"),
                             "dw": create_wu_var_ref(synapses, "dw")})
    outputs.spike_recording_enabled = True
    return model, outputs


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--backend", default=None)
    args = parser.parse_args()
    model, outputs = build(args.backend)
    model.build()
    steps = int(TRIAL_MS / model.dt)
    model.load(num_recording_timesteps=steps)
    losses = []
    for trial in range(args.trials):
        model.timestep = 0
        for _ in range(steps):
            model.step_time()
        model.pull_recording_buffers_from_device()
        times, ids = outputs.spike_recording_data[0]
        rates = np.bincount(ids, minlength=len(TARGET_HZ)) / (TRIAL_MS / 1000.0)
        loss_var = outputs.vars["loss"]
        loss_var.pull_from_device()
        losses.append(float(loss_var.values.sum()))
        loss_var.values = 0.0
        loss_var.push_to_device()
        model.custom_update("apply")
        if trial % 5 == 0 or trial == args.trials - 1:
            print(f"trial {trial:3d}: loss {losses[-1]:9.2f}  rates "
                  + " ".join(f"{r:5.1f}" for r in rates) + "  (targets "
                  + " ".join(f"{r:4.0f}" for r in TARGET_HZ) + " Hz)")
    first, last = np.mean(losses[:3]), np.mean(losses[-3:])
    print(f"loss fell from {first:.2f} (first 3 trials) to {last:.2f} (last 3 trials)")
    return losses


if __name__ == "__main__":
    main()
