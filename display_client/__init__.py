"""The lobby display: a web page for the waiting room's TV, served by the queue server at
/display. Shows the calls, counters, waiting counts and a running text; plays chime + voice."""
