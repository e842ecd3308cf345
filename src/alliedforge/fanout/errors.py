"""The one error of the executors: the place the work should go cannot be used."""


class FanoutError(RuntimeError):
    """An executor cannot run (e.g. the Dask scheduler does not answer); the message
    names the address or setting at fault."""
