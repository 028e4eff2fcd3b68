"""PostgreSQL: the vote's writes as one function, so a vote is one round-trip (see
zhengji/public/domain/votes.py, `record`). Nothing on other databases."""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION zj_cast_vote(
    p_user bigint, p_track bigint, p_entry bigint, p_day date, p_at timestamptz, p_per_entry integer,
    p_per_account integer, p_network text, p_device text, p_challenged boolean, p_group bigint,
    p_async_commit boolean DEFAULT false)
RETURNS TABLE (code text, used integer, counted integer)
LANGUAGE plpgsql AS $$
DECLARE
    v_active boolean;
    v_phone boolean;
    v_entry_used integer;
    v_used integer;
    v_counted integer;
    v_held boolean := p_group IS NOT NULL;
BEGIN
    IF p_async_commit THEN
        -- VOTE_ASYNC_COMMIT (off by default): this transaction's commit does not wait for the WAL
        -- flush (docs/decisions.md: a crash may lose the last fraction of a second of votes).
        PERFORM set_config('synchronous_commit', 'off', true);
    END IF;
    -- The account's standing, read in the vote's own transaction.
    SELECT u.is_active, u.phone_verified INTO v_active, v_phone FROM accounts_user u WHERE u.id = p_user;
    IF NOT FOUND OR NOT v_active THEN
        RETURN QUERY SELECT 'inactive'::text, 0, 0;
        RETURN;
    END IF;
    IF NOT v_phone THEN
        RETURN QUERY SELECT 'phone_unverified'::text, 0, 0;
        RETURN;
    END IF;
    -- One from the account's counter for this entry, only while used < quota (the row lock
    -- serialises concurrent votes; the CHECK used <= quota holds whatever runs).
    INSERT INTO public_votedaycounter AS c (user_id, track_id, entry_id, entry_key, day, used, quota)
        VALUES (p_user, p_track, p_entry, p_entry, p_day, 1, p_per_entry)
        ON CONFLICT (user_id, track_id, entry_key, day)
        DO UPDATE SET used = c.used + 1, quota = excluded.quota WHERE c.used < excluded.quota
        RETURNING c.used INTO v_entry_used;
    IF v_entry_used IS NULL THEN
        RETURN QUERY SELECT 'entry_quota'::text, 0, 0;
        RETURN;
    END IF;
    -- Then one from its counter for the track; a refusal undoes the entry's (the whole statement).
    INSERT INTO public_votedaycounter AS c (user_id, track_id, entry_id, entry_key, day, used, quota)
        VALUES (p_user, p_track, NULL, 0, p_day, 1, p_per_account)
        ON CONFLICT (user_id, track_id, entry_key, day)
        DO UPDATE SET used = c.used + 1, quota = excluded.quota WHERE c.used < excluded.quota
        RETURNING c.used INTO v_used;
    IF v_used IS NULL THEN
        RAISE EXCEPTION 'track_quota' USING ERRCODE = 'ZJV01';
    END IF;
    INSERT INTO public_vote (user_id, entry_id, track_id, at, day, network, device, challenged, state, group_id,
                             reviewed)
        VALUES (p_user, p_entry, p_track, p_at, p_day, p_network, p_device, p_challenged,
                CASE WHEN v_held THEN 'held' ELSE 'counted' END, p_group, false);
    IF v_held THEN
        UPDATE public_anomalygroup SET votes = votes + 1 WHERE id = p_group;
    END IF;
    INSERT INTO public_votetally AS t (entry_id, track_id, counted, held)
        VALUES (p_entry, p_track, CASE WHEN v_held THEN 0 ELSE 1 END, CASE WHEN v_held THEN 1 ELSE 0 END)
        ON CONFLICT (entry_id) DO UPDATE SET counted = t.counted + excluded.counted, held = t.held + excluded.held
        RETURNING t.counted INTO v_counted;
    RETURN QUERY SELECT 'ok'::text, v_used, v_counted;
END
$$;
"""

DROP = ("DROP FUNCTION IF EXISTS zj_cast_vote(bigint, bigint, bigint, date, timestamptz, integer, integer, text, "
        "text, boolean, bigint, boolean);")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):

    dependencies = [
        ("public", "0004_merge_votes"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
