"""An office day, simulated: arrivals by the hour (Poisson), log-normal service times, breaks,
no-shows and the priority lane, driving the queue's own rules (`queue_server.domain`) with a
simulated clock. `antrean simulate` runs scenarios (small TOML files in `scenarios/`)."""
