"""Use cases: load, ask the domain, write state + events in one transaction, then tell others."""
