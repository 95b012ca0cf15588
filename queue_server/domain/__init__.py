"""Pure queue rules: no I/O, no frameworks. Every command returns events; nothing here commits."""
