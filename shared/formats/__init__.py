"""FEP readers (bytes in, canonical events out) and regime report writers (events in, bytes out).

Pure code: readers take binary streams and writers produce bytes; opening files, objects or
sockets is the caller's business.
"""
