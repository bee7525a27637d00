"""The HTTP edge: the only package that speaks to Spott.

``SpottClient`` (one pooled transport, streamed uploads, error classes), the retry policy and
the rate limiter that every worker thread shares.
"""

from .retry import RetryPolicy, parse_retry_after
from .spott import SpottClient, UploadPart, environment_proxy
from .throttle import RateLimiter

__all__ = [
    "RateLimiter",
    "RetryPolicy",
    "SpottClient",
    "UploadPart",
    "environment_proxy",
    "parse_retry_after",
]
