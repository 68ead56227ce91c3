"""What the tests share, one module per job: archives (writing and checking WARCs), pages (article
HTML), processes (`deeply` and other commands as bounded subprocesses), servers (loopback HTTP
servers, `deeply serve`, `deeply replay`, pywb, free ports), store (reading a store back), foreign
(the interop corpus under tests/data/foreign). Imported as `tests.support.<module>`; tests/conftest.py
turns the most used ones into fixtures."""
