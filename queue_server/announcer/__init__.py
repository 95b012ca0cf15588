"""Calls turned into sound for the lobby: a generated chime, then the Indonesian voice.

`speech` (in the domain) writes the words; an `Engine` speaks them (pyttsx3 on eSpeak NG, on
one dedicated thread; a tone engine stands in where no voice is installed); the `Announcer`
caches clips and warms them the moment a call is made, so a display's request finds them ready.
"""
