"""Nations: the buying nations of the alliance and their codification bureaux."""
