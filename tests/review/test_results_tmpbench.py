import cProfile, pstats, time
from decimal import Decimal
import pytest
from django.utils import timezone
from tests.review.builders import ReviewWorld
from tests.review.builders_results import bulk_entries, criteria
from zhengji.review.models import Assignment, Score, RoundEntry, ReviewSetup
from zhengji.review.domain import results as domain

pytestmark = pytest.mark.django_db


def test_bench(client):
    w = ReviewWorld()
    rnd = w.scoring_round()
    c1, c2 = criteria(rnd)
    entries = bulk_entries(w, 10000)
    judges = [w.judge(None) for _ in range(100)]
    RoundEntry.objects.bulk_create([RoundEntry(round=rnd, entry=e) for e in entries], batch_size=2000)
    asg = [Assignment(round=rnd, entry=e, judge=judges[(i * 3 + k) % 100].user) for i, e in enumerate(entries) for k in range(3)]
    Assignment.objects.bulk_create(asg, batch_size=2000)
    asg = list(Assignment.objects.filter(round=rnd))
    now = timezone.now()
    Score.objects.bulk_create([Score(assignment=a, round=rnd, entry_id=a.entry_id, judge_id=a.judge_id,
                                     values={str(c1.pk): (a.pk * 7) % 40, str(c2.pk): (a.pk * 13) % 60},
                                     total=Decimal((a.pk * 7) % 40 + (a.pk * 13) % 60), status="submitted",
                                     submitted_at=now) for a in asg], batch_size=2000)
    ReviewSetup.objects.update_or_create(track=w.track, defaults={"normalise": True, "aggregation": "trimmed"})
    from django.urls import reverse
    t0 = time.perf_counter(); data, res = domain.compute_round(rnd); print("compute", time.perf_counter() - t0)
    client.force_login(w.host_staff)
    for url in [reverse("review:scores", args=[rnd.pk]), reverse("review:ranking", args=[w.track.pk]), reverse("review:trace", args=[w.track.pk, entries[5].pk])]:
        t0 = time.perf_counter(); r = client.get(url); print(url, r.status_code, time.perf_counter() - t0)
    t0 = time.perf_counter(); snap = domain.freeze(w.host_staff, w.track); print("freeze", time.perf_counter() - t0, len(str(snap.data)))
    t0 = time.perf_counter(); r = client.get(reverse("review:scores_xlsx", args=[rnd.pk])); print("xlsx", time.perf_counter() - t0, len(r.content))
    pr = cProfile.Profile(); pr.enable()
    domain.reopen(w.host_staff, w.track, "x"); domain.freeze(w.host_staff, w.track)
    pr.disable(); pstats.Stats(pr).sort_stats("cumulative").print_stats(14)
