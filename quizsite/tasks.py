"""Infrastructure tasks: what the health check and the test suite send through the broker."""

from celery import shared_task

from quizsite import queues


@shared_task(name=queues.PING, acks_late=False, soft_time_limit=5, time_limit=10)
def ping(payload: str = "pong") -> dict:
    """Echo a payload back with the worker's hostname, proving the round trip works."""
    return {"payload": payload, "worker": ping.request.hostname}
