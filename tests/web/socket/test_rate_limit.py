from taskpulse.web.socket.rate_limit import EventBudget


def test_bucket_allows_a_burst_then_refuses_until_refilled():
    bucket = EventBudget(rate=5)
    now = bucket.stamp
    assert [bucket.take(now) for _ in range(5)] == [0.0] * 5
    wait = bucket.take(now)
    assert 0 < wait <= 0.2
    assert bucket.take(now + 0.21) == 0.0
    assert EventBudget.retry_after(0.01) == 1
