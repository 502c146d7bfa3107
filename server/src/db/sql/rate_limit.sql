-- Rate limits: a server process leases a block of an API key's budget for the current window
-- from here, serves requests from the block in memory and leases again when it runs out
-- (domain/api-keys/rate-leases.ts). `rate_limit_windows.request_count` is what was granted for
-- the window, to every process together, and never exceeds the limit: however many processes
-- there are, at most `limit` requests are served in a window.
--
-- Windows are fixed 60-second windows aligned on the database clock (shared by every process).
-- A block is what the process asked for (it grows while a key is busy), at most a tenth of the
-- limit (so the tokens left unused in other processes' blocks stay few) and at most what is left.
-- `granted` is 0 once the window's budget is spent. `last_used_at` is written with a lease, at
-- most once a minute per key.

CREATE OR REPLACE FUNCTION mojeeb_lease_rate(p_key uuid, p_limit integer, p_wanted integer)
RETURNS TABLE (granted integer, used integer, window_end bigint, ms_left integer)
LANGUAGE plpgsql AS $$
DECLARE
  v_start timestamptz := date_trunc('minute', now());
  v_block integer := least(greatest(p_wanted, 1), greatest(1, p_limit / 10));
  v_before integer;
BEGIN
  LOOP
    SELECT w.request_count INTO v_before FROM rate_limit_windows w
    WHERE w.api_key_id = p_key AND w.window_start = v_start FOR UPDATE;
    IF FOUND THEN
      granted := least(v_block, greatest(0, p_limit - v_before));
      IF granted > 0 THEN
        UPDATE rate_limit_windows w SET request_count = v_before + granted
        WHERE w.api_key_id = p_key AND w.window_start = v_start;
      END IF;
      used := v_before + granted;
      EXIT;
    END IF;
    granted := least(v_block, p_limit);
    INSERT INTO rate_limit_windows (api_key_id, window_start, request_count) VALUES (p_key, v_start, granted)
    ON CONFLICT (api_key_id, window_start) DO NOTHING;
    IF FOUND THEN
      used := granted;
      EXIT;
    END IF;
  END LOOP;
  IF granted > 0 THEN
    UPDATE api_keys k SET last_used_at = now()
    WHERE k.id = p_key AND (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute');
  END IF;
  window_end := extract(epoch FROM v_start)::bigint + 60;
  -- Rounded down: a process never uses the block after the window ended.
  ms_left := greatest(0, floor(extract(epoch FROM (v_start + interval '60 seconds' - now())) * 1000))::integer;
  RETURN NEXT;
END $$;
