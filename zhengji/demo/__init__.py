"""Demo data: the 2025 "Good Netizen" campaign of the Anhui federation, its ten tracks, an
organisation tree for Anhui with Tongling in detail, one account per role, sample entries whose
files are generated at load time (entries.py), and optionally a live copy of the campaign whose
collection is open today (campaign.live_campaign, `load_demo --live`).

The definitions are plain Python data in the modules beside this one; `loader.load_demo()`
writes them idempotently (keyed by codes, slugs and usernames), so `manage.py load_demo` may run
on every start. Nothing here is specific to the code: it is data a federation would enter.
"""
