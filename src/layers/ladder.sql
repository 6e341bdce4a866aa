-- The outcome ladder: the steps a conversion climbs from the platform's claim to
-- the money (services: platform_conversion -> captured -> valid -> contacted ->
-- qualified -> proposal -> won -> invoiced -> paid; e-commerce: platform_conversion
-- -> placed -> confirmed -> shipped -> delivered -> collected), with negative exits
-- (disqualified, lost, cancelled, returned, refunded), and the mapping of each CRM
-- system's own stage names onto those steps. Both are configuration kept like the
-- metrics contract: append-only logs (who, when, why; UPDATE, DELETE and TRUNCATE
-- raise 23001), the latest version in force. docs/ladder.md explains the rules.

------------------------------------------------------------------ presets
CREATE FUNCTION recon.ladder_presets()
RETURNS TABLE (preset text, rung integer, step text, kind text, layer text, is_response boolean,
               description text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT p.preset, p.rung, p.step, p.kind, p.layer, p.is_response, p.description
    FROM (VALUES
        ('services', 1, 'platform_conversion', 'progress', 'platform', false, 'The platform claims a conversion (a lead form, a pixel or API event).'),
        ('services', 2, 'captured', 'progress', 'crm', false, 'The lead exists in the CRM (every record reaches this step when it is created).'),
        ('services', 3, 'valid', 'progress', 'crm', false, 'Checked: a real prospect, not spam, a test or a duplicate.'),
        ('services', 4, 'contacted', 'progress', 'crm', true, 'Someone from sales reached the lead (the first response).'),
        ('services', 5, 'qualified', 'progress', 'crm', false, 'Sales accepted it: an opportunity with a need, a budget and a decision maker.'),
        ('services', 6, 'proposal', 'progress', 'crm', false, 'A proposal or quote was sent.'),
        ('services', 7, 'won', 'progress', 'crm', false, 'The deal is signed.'),
        ('services', 8, 'invoiced', 'progress', 'finance', false, 'Finance invoiced the deal.'),
        ('services', 9, 'paid', 'progress', 'finance', false, 'The invoice was paid.'),
        ('services', 10, 'disqualified', 'exit', 'crm', false, 'Closed before qualification: spam, test, duplicate, not qualified, no response.'),
        ('services', 11, 'lost', 'exit', 'crm', false, 'Closed after qualification: competitor, no budget, no decision.'),
        ('ecommerce', 1, 'platform_conversion', 'progress', 'platform', false, 'The platform claims a purchase (a pixel or API event).'),
        ('ecommerce', 2, 'placed', 'progress', 'crm', false, 'The order exists in the shop (every order reaches this step when it is created).'),
        ('ecommerce', 3, 'confirmed', 'progress', 'crm', true, 'The shop accepted the order (payment authorized, stock reserved): the first response.'),
        ('ecommerce', 4, 'shipped', 'progress', 'crm', false, 'The order left the warehouse.'),
        ('ecommerce', 5, 'delivered', 'progress', 'crm', false, 'The customer received it.'),
        ('ecommerce', 6, 'collected', 'progress', 'finance', false, 'The money arrived and stayed (net of refunds).'),
        ('ecommerce', 7, 'cancelled', 'exit', 'crm', false, 'Cancelled before delivery: by the customer, a declined payment, a test order.'),
        ('ecommerce', 8, 'returned', 'exit', 'crm', false, 'Sent back after delivery, or never delivered.'),
        ('ecommerce', 9, 'refunded', 'exit', 'finance', false, 'The money went back to the customer.')
    ) AS p(preset, rung, step, kind, layer, is_response, description)
$$;
COMMENT ON FUNCTION recon.ladder_presets() IS
    'The ladders recon ships, step by step: services (platform_conversion, captured, valid, contacted, qualified, proposal, won, invoiced, paid; exits disqualified and lost) and ecommerce (platform_conversion, placed, confirmed, shipped, delivered, collected; exits cancelled, returned, refunded). kind: progress or exit; layer: the system whose data reaches the step; is_response: entering this step or any later one (or an exit) is the first response.';

-- Stage names the presets know, per naming (the demo's CRM and shop, HubSpot's and
-- Salesforce's default values). NULL step: the name is known and deliberately off
-- the ladder (an abandoned checkout is not an order).
CREATE FUNCTION recon.ladder_preset_stages()
RETURNS TABLE (preset text, naming text, stage text, step text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT s.preset, s.naming, s.stage, s.step
    FROM (VALUES
        -- the demo's CRM (leads, then opportunities) and shop (orders)
        ('services', 'recon_demo', 'captured', 'captured'),
        ('services', 'recon_demo', 'valid', 'valid'),
        ('services', 'recon_demo', 'contacted', 'contacted'),
        ('services', 'recon_demo', 'converted', 'qualified'),
        ('services', 'recon_demo', 'qualified', 'qualified'),
        ('services', 'recon_demo', 'proposal', 'proposal'),
        ('services', 'recon_demo', 'won', 'won'),
        ('services', 'recon_demo', 'disqualified', 'disqualified'),
        ('services', 'recon_demo', 'lost', 'lost'),
        ('ecommerce', 'recon_demo', 'placed', 'placed'),
        ('ecommerce', 'recon_demo', 'confirmed', 'confirmed'),
        ('ecommerce', 'recon_demo', 'shipped', 'shipped'),
        ('ecommerce', 'recon_demo', 'delivered', 'delivered'),
        ('ecommerce', 'recon_demo', 'cancelled', 'cancelled'),
        ('ecommerce', 'recon_demo', 'returned', 'returned'),
        ('ecommerce', 'recon_demo', 'refunded', 'refunded'),
        -- HubSpot: lifecycle stages, lead status and the default sales pipeline's deal stages (internal values)
        ('services', 'hubspot', 'subscriber', 'captured'),
        ('services', 'hubspot', 'lead', 'captured'),
        ('services', 'hubspot', 'marketingqualifiedlead', 'valid'),
        ('services', 'hubspot', 'salesqualifiedlead', 'qualified'),
        ('services', 'hubspot', 'opportunity', 'qualified'),
        ('services', 'hubspot', 'customer', 'won'),
        ('services', 'hubspot', 'NEW', 'captured'),
        ('services', 'hubspot', 'OPEN', 'valid'),
        ('services', 'hubspot', 'ATTEMPTED_TO_CONTACT', 'valid'),
        ('services', 'hubspot', 'IN_PROGRESS', 'contacted'),
        ('services', 'hubspot', 'CONNECTED', 'contacted'),
        ('services', 'hubspot', 'OPEN_DEAL', 'qualified'),
        ('services', 'hubspot', 'UNQUALIFIED', 'disqualified'),
        ('services', 'hubspot', 'BAD_TIMING', 'disqualified'),
        ('services', 'hubspot', 'appointmentscheduled', 'contacted'),
        ('services', 'hubspot', 'qualifiedtobuy', 'qualified'),
        ('services', 'hubspot', 'presentationscheduled', 'qualified'),
        ('services', 'hubspot', 'decisionmakerboughtin', 'proposal'),
        ('services', 'hubspot', 'contractsent', 'proposal'),
        ('services', 'hubspot', 'closedwon', 'won'),
        ('services', 'hubspot', 'closedlost', 'lost'),
        -- HubSpot's ecommerce pipeline
        ('ecommerce', 'hubspot', 'checkout_abandoned', NULL),
        ('ecommerce', 'hubspot', 'checkout_pending', 'placed'),
        ('ecommerce', 'hubspot', 'checkout_completed', 'confirmed'),
        ('ecommerce', 'hubspot', 'processed', 'confirmed'),
        ('ecommerce', 'hubspot', 'shipped', 'shipped'),
        ('ecommerce', 'hubspot', 'cancelled', 'cancelled'),
        -- Salesforce: lead status and opportunity stages (default picklist values)
        ('services', 'salesforce', 'Open - Not Contacted', 'captured'),
        ('services', 'salesforce', 'Working - Contacted', 'contacted'),
        ('services', 'salesforce', 'Closed - Converted', 'qualified'),
        ('services', 'salesforce', 'Closed - Not Converted', 'disqualified'),
        ('services', 'salesforce', 'Prospecting', 'qualified'),
        ('services', 'salesforce', 'Qualification', 'qualified'),
        ('services', 'salesforce', 'Needs Analysis', 'qualified'),
        ('services', 'salesforce', 'Value Proposition', 'qualified'),
        ('services', 'salesforce', 'Id. Decision Makers', 'qualified'),
        ('services', 'salesforce', 'Perception Analysis', 'qualified'),
        ('services', 'salesforce', 'Proposal/Price Quote', 'proposal'),
        ('services', 'salesforce', 'Negotiation/Review', 'proposal'),
        ('services', 'salesforce', 'Closed Won', 'won'),
        ('services', 'salesforce', 'Closed Lost', 'lost'),
        -- Salesforce orders
        ('ecommerce', 'salesforce', 'Draft', 'placed'),
        ('ecommerce', 'salesforce', 'Activated', 'confirmed')
    ) AS s(preset, naming, stage, step)
$$;
COMMENT ON FUNCTION recon.ladder_preset_stages() IS
    'Stage names each preset maps, per naming: recon_demo (the demo''s CRM and shop), hubspot (lifecycle stages, lead status, default deal and ecommerce pipeline stages, internal values) and salesforce (default lead status, opportunity stage and order status values). A NULL step means the name is known and deliberately off the ladder.';

------------------------------------------------------------------ the ladder log
CREATE TABLE recon.ladder_log (
    change_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ladder      text COLLATE "C" NOT NULL CHECK (ladder ~ '^[a-z][a-z0-9_]{0,62}$'),
    version     integer NOT NULL CHECK (version > 0),
    preset      text COLLATE "C",
    steps       jsonb NOT NULL,
    changed_by  text NOT NULL DEFAULT current_user,
    changed_at  timestamptz NOT NULL DEFAULT now(),
    reason      text NOT NULL CHECK (btrim(reason) <> ''),
    UNIQUE (ladder, version)
);
COMMENT ON TABLE recon.ladder_log IS
    'Append-only history of the outcome ladders: one row per version of a ladder, its steps in order (a jsonb array of {step, kind, layer, is_response, description}), the preset it came from, who, when and why. The latest version is in force (recon.ladder_steps). UPDATE, DELETE and TRUNCATE are rejected; write through recon.apply_ladder_preset.';
SELECT pg_catalog.pg_extension_config_dump('recon.ladder_log', '');
SELECT pg_catalog.pg_extension_config_dump('recon.ladder_log_change_id_seq', '');

CREATE FUNCTION recon.ladder_log_before_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    last_version integer;
    bad text;
BEGIN
    IF NEW.reason IS NULL OR btrim(NEW.reason) = '' THEN
        RAISE EXCEPTION 'a reason is required to change ladder "%"', NEW.ladder
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Say why, for example ''services firm: leads, opportunities, invoices''.';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('recon.ladder:' || NEW.ladder));
    SELECT max(version) INTO last_version FROM recon.ladder_log WHERE ladder = NEW.ladder;
    IF NEW.version IS NULL THEN
        NEW.version := coalesce(last_version, 0) + 1;
    ELSIF NEW.version <> coalesce(last_version, 0) + 1 THEN
        RAISE EXCEPTION 'ladder "%" version % is out of sequence: the next version is %',
                        NEW.ladder, NEW.version, coalesce(last_version, 0) + 1
            USING ERRCODE = 'unique_violation';
    END IF;
    IF jsonb_typeof(NEW.steps) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'ladder "%" steps must be a jsonb array of {step, kind, layer}, got %', NEW.ladder, NEW.steps
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT string_agg(coalesce(e ->> 'step', '(no name)'), ', ') INTO bad
    FROM jsonb_array_elements(NEW.steps) AS e
    WHERE coalesce(e ->> 'step', '') !~ '^[a-z][a-z0-9_]{0,62}$'
       OR coalesce(e ->> 'kind', '') NOT IN ('progress', 'exit')
       OR coalesce(e ->> 'layer', '') NOT IN ('platform', 'crm', 'finance');
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'ladder "%" has malformed steps: %', NEW.ladder, bad
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'A step is a lower-case name, a kind (progress or exit) and a layer (platform, crm or finance).';
    END IF;
    SELECT string_agg(s, ', ') INTO bad
    FROM (SELECT e ->> 'step' AS s FROM jsonb_array_elements(NEW.steps) e GROUP BY 1 HAVING count(*) > 1) d;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'ladder "%" names a step twice: %', NEW.ladder, bad
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF jsonb_array_length(NEW.steps) > 63 THEN
        RAISE EXCEPTION 'ladder "%" has % steps, more than 63', NEW.ladder, jsonb_array_length(NEW.steps)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF (SELECT count(*) FROM jsonb_array_elements(NEW.steps) e WHERE e ->> 'kind' = 'progress' AND e ->> 'layer' = 'crm') = 0 THEN
        RAISE EXCEPTION 'ladder "%" has no progress step in the crm layer', NEW.ladder
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Every record reaches the first crm progress step when it is created.';
    END IF;
    RETURN NEW;
END $$;
COMMENT ON FUNCTION recon.ladder_log_before_insert() IS
    'Trigger: requires a reason (22004), numbers each ladder version, and checks its steps (22023: names, kinds, layers, no step twice, at most 63 steps, at least one crm progress step).';
CREATE TRIGGER ladder_log_sequence BEFORE INSERT ON recon.ladder_log
    FOR EACH ROW EXECUTE FUNCTION recon.ladder_log_before_insert();
SELECT recon.make_append_only('recon.ladder_log');

CREATE VIEW recon.ladders AS
    SELECT l.ladder, l.version, l.preset,
           ARRAY(SELECT e ->> 'step' FROM jsonb_array_elements(l.steps) WITH ORDINALITY AS s(e, n)
                 WHERE e ->> 'kind' = 'progress' ORDER BY n) AS steps,
           ARRAY(SELECT e ->> 'step' FROM jsonb_array_elements(l.steps) WITH ORDINALITY AS s(e, n)
                 WHERE e ->> 'kind' = 'exit' ORDER BY n) AS exits,
           CASE WHEN l.version = max(l.version) OVER (PARTITION BY l.ladder) THEN 'current' ELSE 'superseded' END AS status,
           l.changed_by, l.changed_at, l.reason
    FROM recon.ladder_log l;
COMMENT ON VIEW recon.ladders IS
    'Every version of every outcome ladder: its progress steps and exits in order, the preset it came from, status (current or superseded), who changed it, when and why. Unique key: (ladder, version).';

CREATE VIEW recon.ladder_steps AS
    SELECT l.ladder, l.version, s.n::integer AS rung, s.e ->> 'step' AS step, s.e ->> 'kind' AS kind,
           s.e ->> 'layer' AS layer, coalesce((s.e ->> 'is_response')::boolean, false) AS is_response,
           s.e ->> 'description' AS description
    FROM recon.ladder_log l
    CROSS JOIN LATERAL jsonb_array_elements(l.steps) WITH ORDINALITY AS s(e, n)
    WHERE l.version = (SELECT max(version) FROM recon.ladder_log m WHERE m.ladder = l.ladder);
COMMENT ON VIEW recon.ladder_steps IS
    'The steps of each ladder''s version in force, one row per step: rung (the step''s place on the ladder, 1 at the bottom), kind (progress or exit), layer whose data reaches it (platform, crm, finance), is_response (entering it, a later step or an exit is the first response) and description. Unique key: (ladder, step).';

------------------------------------------------------------------ the stage map log
CREATE TABLE recon.stage_map_log (
    change_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    crm_system  text COLLATE "C" NOT NULL,
    stage       text COLLATE "C" NOT NULL,
    version     integer NOT NULL CHECK (version > 0),
    action      text COLLATE "C" NOT NULL CHECK (action IN ('map', 'off', 'unmap')),
    ladder      text COLLATE "C",
    step        text COLLATE "C",
    changed_by  text NOT NULL DEFAULT current_user,
    changed_at  timestamptz NOT NULL DEFAULT now(),
    reason      text NOT NULL CHECK (btrim(reason) <> ''),
    UNIQUE (crm_system, stage, version),
    CONSTRAINT stage_map_log_step_on_ladder CHECK ((ladder IS NULL) = (step IS NULL) AND (action = 'map') = (step IS NOT NULL))
);
COMMENT ON TABLE recon.stage_map_log IS
    'Append-only history of the mapping of CRM stage names onto ladder steps: one row per change of a (crm_system, stage): action map (onto the ladder and step), off (deliberately off the ladder) or unmap (taken off when the system switched ladders: listed as an exception again), who, when and why. The latest version is in force (recon.stage_map). UPDATE, DELETE and TRUNCATE are rejected; write through recon.map_stage or recon.apply_ladder_preset.';
COMMENT ON COLUMN recon.stage_map_log.stage IS
    'The stage name exactly as funnel_records.stage and funnel_stage_history.stage hold it (case and spaces matter: HubSpot sends internal values, Salesforce picklist values).';
SELECT pg_catalog.pg_extension_config_dump('recon.stage_map_log', '');
SELECT pg_catalog.pg_extension_config_dump('recon.stage_map_log_change_id_seq', '');

CREATE VIEW recon.stage_map AS
    SELECT m.crm_system, m.stage, m.ladder, m.step, s.rung, s.kind,
           CASE WHEN m.action = 'off' THEN 'off the ladder'
                WHEN m.action = 'unmap' THEN 'unmapped'
                WHEN s.step IS NULL THEN 'step not on the current ladder'
                ELSE 'mapped' END AS status,
           m.version, m.changed_by, m.changed_at, m.reason
    FROM (SELECT DISTINCT ON (crm_system, stage) *
          FROM recon.stage_map_log ORDER BY crm_system, stage, version DESC) m
    LEFT JOIN recon.ladder_steps s ON s.ladder = m.ladder AND s.step = m.step;
COMMENT ON VIEW recon.stage_map IS
    'The mapping in force, one row per CRM system and stage name: the ladder and step it counts as, its rung and kind, status (mapped; off the ladder, deliberately; unmapped, taken off when the system switched ladders; step not on the current ladder, when a later ladder version dropped it), the mapping''s version, who, when and why. Unique key: (crm_system, stage).';

-- The ladder a CRM system follows: the ladder of its mapped stages (one per system).
CREATE FUNCTION recon.crm_ladder(crm_system text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT min(m.ladder) FROM recon.stage_map m WHERE m.crm_system = crm_ladder.crm_system AND m.ladder IS NOT NULL
$$;
COMMENT ON FUNCTION recon.crm_ladder(text) IS
    'The ladder a CRM system follows (the ladder its stages map to; one per system), or NULL when none of its stages is mapped.';

CREATE FUNCTION recon.stage_map_log_before_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    followed text;
    ladder_version integer;
BEGIN
    IF NEW.reason IS NULL OR btrim(NEW.reason) = '' THEN
        RAISE EXCEPTION 'a reason is required to map stage "%" of CRM system "%"', NEW.stage, NEW.crm_system
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Say why, for example ''our pipeline calls a qualified lead SQL''.';
    END IF;
    IF NEW.crm_system IS NULL OR NEW.stage IS NULL THEN
        RAISE EXCEPTION 'a stage mapping needs a CRM system and a stage name, got % and %',
                        coalesce(quote_literal(NEW.crm_system), 'NULL'), coalesce(quote_literal(NEW.stage), 'NULL')
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF btrim(NEW.crm_system) = '' OR btrim(NEW.stage) = '' THEN
        RAISE EXCEPTION 'a stage mapping needs a non-blank CRM system and stage name, got "%" and "%"', NEW.crm_system, NEW.stage
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use the values of funnel_records.crm_system and funnel_records.stage.';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('recon.stage_map:' || NEW.crm_system));
    IF NEW.step IS NULL THEN
        NEW.ladder := NULL;
        NEW.action := coalesce(nullif(NEW.action, 'map'), 'off');   -- deliberately off the ladder, unless unmapped
    ELSE
        NEW.action := 'map';
        followed := recon.crm_ladder(NEW.crm_system);
        IF NEW.ladder IS NULL THEN
            NEW.ladder := followed;
        END IF;
        IF NEW.ladder IS NULL THEN
            RAISE EXCEPTION 'CRM system "%" follows no ladder yet, so stage "%" cannot be mapped to step "%"',
                            NEW.crm_system, NEW.stage, NEW.step
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = format('Apply a preset first, e.g. SELECT * FROM recon.apply_ladder_preset(''services'', %L, ''why''), or name the ladder.', NEW.crm_system);
        END IF;
        SELECT max(version) INTO ladder_version FROM recon.ladder_log WHERE ladder = NEW.ladder;
        IF ladder_version IS NULL THEN
            RAISE EXCEPTION 'ladder "%" is not defined', NEW.ladder
                USING ERRCODE = 'undefined_object',
                      HINT = 'recon.ladders lists the ladders; recon.apply_ladder_preset defines one from a preset (services, ecommerce).';
        END IF;
        IF followed IS NOT NULL AND followed <> NEW.ladder THEN
            RAISE EXCEPTION 'CRM system "%" follows ladder "%": stage "%" cannot map to ladder "%"',
                            NEW.crm_system, followed, NEW.stage, NEW.ladder
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'A CRM system follows one ladder; recon.apply_ladder_preset switches a system to another ladder.';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM recon.ladder_steps s WHERE s.ladder = NEW.ladder AND s.step = NEW.step) THEN
            RAISE EXCEPTION 'step "%" is not on ladder "%" (version %)', NEW.step, NEW.ladder, ladder_version
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = (SELECT 'Its steps: ' || string_agg(s.step, ', ' ORDER BY s.rung) || '.'
                              FROM recon.ladder_steps s WHERE s.ladder = NEW.ladder);
        END IF;
    END IF;
    NEW.version := coalesce((SELECT max(version) FROM recon.stage_map_log l
                             WHERE l.crm_system = NEW.crm_system AND l.stage = NEW.stage), 0) + 1;
    RETURN NEW;
END $$;
COMMENT ON FUNCTION recon.stage_map_log_before_insert() IS
    'Trigger: requires a reason (22004), a CRM system and stage (22004 NULL, 22023 blank); sets the action (map with a step, else off unless unmap); fills the ladder from the one the CRM system follows; checks that the ladder exists (42704), that the system follows no other ladder and that the step is on it (22023); numbers the mapping''s version.';
CREATE TRIGGER stage_map_log_check BEFORE INSERT ON recon.stage_map_log
    FOR EACH ROW EXECUTE FUNCTION recon.stage_map_log_before_insert();
SELECT recon.make_append_only('recon.stage_map_log');

------------------------------------------------------------------ functions
CREATE FUNCTION recon.map_stage(crm_system text, stage text, step text, reason text, ladder text DEFAULT NULL)
RETURNS integer LANGUAGE sql AS $$
    INSERT INTO recon.stage_map_log (crm_system, stage, ladder, step, reason)
    VALUES (crm_system, stage, ladder, step, reason)
    RETURNING version
$$;
COMMENT ON FUNCTION recon.map_stage(text, text, text, text, text) IS
    'Maps a CRM system''s stage name onto a step of the ladder the system follows (or of the ladder named, for a system that follows none yet); step NULL takes the stage deliberately off the ladder. The reason is required. Returns the mapping''s version. Errors: 22004 (no reason, NULL names), 22023 (unknown step, another ladder), 42704 (unknown ladder).';

CREATE FUNCTION recon.apply_ladder_preset(preset text, crm_system text, reason text, naming text DEFAULT 'all')
RETURNS TABLE (ladder text, ladder_version integer, stages_mapped integer)
LANGUAGE plpgsql AS $$
#variable_conflict use_variable
DECLARE
    wanted jsonb;
    current_steps jsonb;
    followed text;
    mapped integer := 0;
BEGIN
    IF reason IS NULL OR btrim(reason) = '' THEN
        RAISE EXCEPTION 'a reason is required to apply ladder preset %', coalesce(quote_literal(preset), 'NULL')
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Say why, for example ''our CRM follows the services ladder''.';
    END IF;
    IF crm_system IS NULL THEN
        RAISE EXCEPTION 'apply_ladder_preset needs the CRM system whose stages follow the ladder'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Use a value of funnel_records.crm_system.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM recon.ladder_presets() p WHERE p.preset = apply_ladder_preset.preset) THEN
        RAISE EXCEPTION 'unknown ladder preset %', coalesce(quote_literal(preset), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'The presets are: ' || (SELECT string_agg(DISTINCT p.preset, ', ') FROM recon.ladder_presets() p) || '.';
    END IF;
    IF naming IS NULL OR (naming <> 'all' AND NOT EXISTS (SELECT 1 FROM recon.ladder_preset_stages() s WHERE s.naming = apply_ladder_preset.naming)) THEN
        RAISE EXCEPTION 'unknown stage naming %', coalesce(quote_literal(naming), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use all, or one of: ' || (SELECT string_agg(DISTINCT s.naming, ', ') FROM recon.ladder_preset_stages() s) || '.';
    END IF;

    -- 1. The ladder: a new version only when the preset's steps differ from the one in force.
    SELECT jsonb_agg(jsonb_build_object('step', p.step, 'kind', p.kind, 'layer', p.layer,
                                        'is_response', p.is_response, 'description', p.description) ORDER BY p.rung)
      INTO wanted FROM recon.ladder_presets() p WHERE p.preset = apply_ladder_preset.preset;
    SELECT l.steps INTO current_steps FROM recon.ladder_log l
     WHERE l.ladder = apply_ladder_preset.preset ORDER BY l.version DESC LIMIT 1;
    IF current_steps IS DISTINCT FROM wanted THEN
        INSERT INTO recon.ladder_log (ladder, preset, steps, reason) VALUES (preset, preset, wanted, reason);
    END IF;

    -- 2. A system that followed another ladder: its old mappings are taken off (logged, with the reason).
    followed := recon.crm_ladder(crm_system);
    IF followed IS NOT NULL AND followed <> preset THEN
        INSERT INTO recon.stage_map_log (crm_system, stage, action, ladder, step, reason)
        SELECT m.crm_system, m.stage, 'unmap', NULL, NULL, format('switched from ladder %s to %s: %s', followed, preset, reason)
        FROM recon.stage_map m WHERE m.crm_system = apply_ladder_preset.crm_system AND m.ladder IS NOT NULL
        ORDER BY m.stage;
    END IF;

    -- 3. The preset's stage names the system has not mapped yet (the user's own mappings stay).
    INSERT INTO recon.stage_map_log (crm_system, stage, ladder, step, reason)
    SELECT crm_system, s.stage, CASE WHEN s.step IS NOT NULL THEN preset END, s.step, reason
    FROM (SELECT DISTINCT ON (p.stage) p.stage, p.step
          FROM recon.ladder_preset_stages() p
          WHERE p.preset = apply_ladder_preset.preset AND naming IN ('all', p.naming)
          ORDER BY p.stage, p.naming) s
    WHERE NOT EXISTS (SELECT 1 FROM recon.stage_map m
                      WHERE m.crm_system = apply_ladder_preset.crm_system AND m.stage = s.stage
                        AND (m.ladder = preset OR m.status = 'off the ladder'))
    ORDER BY s.stage;
    GET DIAGNOSTICS mapped = ROW_COUNT;

    RETURN QUERY SELECT preset, (SELECT max(l.version) FROM recon.ladder_log l WHERE l.ladder = preset), mapped;
END $$;
COMMENT ON FUNCTION recon.apply_ladder_preset(text, text, text, text) IS
    'Puts a preset ladder (services or ecommerce) in force for a CRM system: records a new ladder version when the preset''s steps differ from the version in force, unmaps the system''s stages mapped to another ladder (logged; they are exceptions again until mapped), and maps the preset''s known stage names (naming: all, recon_demo, hubspot, salesforce) that the system has neither mapped to this ladder nor taken off it itself. The reason is required. Returns the ladder, its version and how many stage names were mapped. Errors: 22004 (no reason, no CRM system), 22023 (unknown preset or naming).';

------------------------------------------------------------------ progress per record
-- Each lead's or order's furthest step, from its stage history through the mapping.
-- One hash aggregate per record over every stage entry (sorting 4M entries by
-- record would cost more than the rest of the query): the furthest step and when it
-- was first entered travel in one bigint, max(rung * 10^16 + (10^16 - 1 - t)), t the
-- entry's microseconds since 1900 (so the highest rung wins, and on it the earliest
-- entry); the last exit likewise as max(t * 64 + rung). A function under the view for
-- the settings a view cannot carry: memory for that hash, and no JIT (its compile
-- takes longer than the query).
CREATE FUNCTION recon.ladder_progress_rows()
RETURNS TABLE (record_id text, record_type text, crm_system text, created_at timestamptz, ladder text,
               furthest_step text, furthest_rung integer, reached_at timestamptz,
               exit_step text, exited_at timestamptz, first_response_at timestamptz, unmapped_entries integer,
               unmapped_stage text)
LANGUAGE sql STABLE
SET jit = off
SET work_mem = '256MB'
AS $progress$
WITH steps AS MATERIALIZED (            -- the ladders in force, with each one's response and creation steps
    SELECT s.ladder, s.step, s.rung, s.kind,
           s.kind = 'exit' OR s.rung >= min(s.rung) FILTER (WHERE s.is_response) OVER (PARTITION BY s.ladder) AS responds,
           s.rung = min(s.rung) FILTER (WHERE s.kind = 'progress' AND s.layer = 'crm') OVER (PARTITION BY s.ladder) AS on_creation
    FROM recon.ladder_steps s
), map AS MATERIALIZED (                -- every stage name with a mapping (off_ladder: deliberately none)
    SELECT m.crm_system, m.stage, s.ladder, dense_rank() OVER (ORDER BY s.ladder) AS ladder_no, s.step, s.rung, s.kind,
           s.responds, m.status = 'off the ladder' AS off_ladder
    FROM recon.stage_map m LEFT JOIN steps s ON s.ladder = m.ladder AND s.step = m.step
), systems AS MATERIALIZED (            -- the ladder each CRM system follows, and its creation step
    SELECT y.crm_system, y.ladder, y.ladder_no, s.step AS creation_step, s.rung AS creation_rung
    FROM (SELECT crm_system, min(ladder) AS ladder, min(ladder_no) AS ladder_no FROM map WHERE ladder IS NOT NULL
          GROUP BY crm_system) y
    LEFT JOIN steps s ON s.ladder = y.ladder AND s.on_creation
), entries AS (                         -- stage entries, and the current stage (entered when it closed, else unknown);
                                        -- an opportunity's count for the lead it came from
    SELECT CASE WHEN r.record_type = 'opportunity' AND r.parent_record_id IS NOT NULL THEN r.parent_record_id
                ELSE r.record_id END AS root_id, r.crm_system, h.stage, h.entered_at
    FROM recon.funnel_stage_history h JOIN recon.funnel_records r ON r.record_id = h.record_id
    UNION ALL
    SELECT CASE WHEN r.record_type = 'opportunity' AND r.parent_record_id IS NOT NULL THEN r.parent_record_id
                ELSE r.record_id END, r.crm_system, r.stage, CASE WHEN r.status <> 'open' THEN r.closed_at END
    FROM recon.funnel_records r
), per_record AS (                      -- plain aggregates only: they keep the hash table small
    SELECT e.root_id,
           max(m.rung * 10000000000000000 + 9999999999999999 - coalesce(k.us, 9999999999999999))
               FILTER (WHERE m.kind = 'progress') AS top,
           max(e.entered_at) FILTER (WHERE m.kind = 'progress') AS last_progress_at,
           min(e.entered_at) FILTER (WHERE m.responds) AS first_response_at,
           max(coalesce(k.us, 0) * 64 + m.rung) FILTER (WHERE m.kind = 'exit') AS last_exit,
           -- a name no mapping puts on a ladder is counted, never dropped
           count(*) FILTER (WHERE m.ladder IS NULL) AS unmapped_entries,
           min(e.stage) FILTER (WHERE m.ladder IS NULL) AS unmapped_stage,
           count(m.ladder) AS mapped_entries, min(m.ladder_no) AS ladder_min, max(m.ladder_no) AS ladder_max
    FROM entries e
    LEFT JOIN map m ON m.crm_system = e.crm_system AND m.stage = e.stage
    CROSS JOIN LATERAL (SELECT (date_part('epoch', e.entered_at) * 1000000)::bigint + 2208988800000000 AS us) k
    WHERE m.off_ladder IS DISTINCT FROM true
    GROUP BY e.root_id
), decoded AS (
    SELECT p.root_id, (p.top / 10000000000000000)::integer AS top_rung,
           nullif(9999999999999999 - p.top % 10000000000000000, 9999999999999999) AS top_us,
           p.last_progress_at, p.first_response_at,
           (p.last_exit % 64)::integer AS exit_rung, nullif(p.last_exit / 64, 0) AS exit_us,
           p.unmapped_entries, p.unmapped_stage, p.mapped_entries, p.ladder_min, p.ladder_max
    FROM per_record p
)
SELECT x.record_id, x.record_type, x.crm_system, x.created_at, y.ladder,
       CASE WHEN d.top_rung > y.creation_rung AND NOT c.mixed THEN f.step ELSE y.creation_step END,
       CASE WHEN c.mixed THEN y.creation_rung ELSE greatest(d.top_rung, y.creation_rung) END,
       CASE WHEN d.top_rung > y.creation_rung AND NOT c.mixed THEN tt.reached_at WHEN y.ladder IS NOT NULL THEN x.created_at END,
       CASE WHEN c.closed THEN ex.step END, CASE WHEN c.closed THEN tt.exited_at END,
       CASE WHEN NOT c.mixed THEN d.first_response_at END,
       (coalesce(d.unmapped_entries, 0) + CASE WHEN c.mixed THEN d.mapped_entries ELSE 0 END)::integer,
       coalesce(d.unmapped_stage, CASE WHEN c.mixed THEN '(stages on another ladder than ' || coalesce(y.ladder, 'none') || ')' END)
FROM recon.funnel_records x
LEFT JOIN systems y ON y.crm_system = x.crm_system
LEFT JOIN decoded d ON d.root_id = x.record_id
LEFT JOIN steps f ON f.ladder = y.ladder AND f.rung = d.top_rung
LEFT JOIN steps ex ON ex.ladder = y.ladder AND ex.rung = d.exit_rung
CROSS JOIN LATERAL (SELECT timestamptz '1900-01-01 00:00:00+00' + d.top_us * interval '1 microsecond' AS reached_at,
                           timestamptz '1900-01-01 00:00:00+00' + d.exit_us * interval '1 microsecond' AS exited_at) tt
-- stages of a folded opportunity whose CRM system follows another ladder than its lead's: flagged, not mixed in
CROSS JOIN LATERAL (SELECT d.mapped_entries > 0 AND (d.ladder_min IS DISTINCT FROM y.ladder_no
                                                    OR d.ladder_max IS DISTINCT FROM y.ladder_no) AS mixed) m
-- an exit counts when nothing progressed after it (a reopened record climbs on)
CROSS JOIN LATERAL (SELECT ex.step IS NOT NULL AND NOT coalesce(m.mixed, false)
                           AND (tt.exited_at IS NULL OR tt.exited_at >= greatest(d.last_progress_at, x.created_at)) AS closed,
                           coalesce(m.mixed, false) AS mixed) c
WHERE NOT (x.record_type = 'opportunity' AND x.parent_record_id IS NOT NULL)
$progress$;
COMMENT ON FUNCTION recon.ladder_progress_rows() IS
    'The rows of recon.ladder_progress (a function so that it can set work_mem and jit).';

CREATE VIEW recon.ladder_progress AS SELECT * FROM recon.ladder_progress_rows();
COMMENT ON VIEW recon.ladder_progress IS
    'One row per lead or order (an opportunity is folded into the lead it came from; one without a lead stands alone): the ladder its CRM system follows, the furthest progress step reached (by recon.stage_map from funnel_stage_history and the current stage; the first crm step is reached on creation) and when it was first entered, the exit (disqualified, lost, cancelled...) when the last thing that happened was one, the first response (first entry into the ladder''s response step, a later step or an exit) unmapped_entries, the stage entries no mapping puts on a ladder (counted, never dropped; recon.ladder_unmapped_stages lists the names), and unmapped_stage, the first of those names. An opportunity''s stages are read through its own CRM system''s mapping; when that system follows another ladder than its lead''s, the lead is flagged instead (furthest step the creation step, every entry counted in unmapped_entries, unmapped_stage ''(stages on another ladder than ...)''). reached_at is NULL when only the record''s current stage shows the step. Unique key: record_id.';

CREATE VIEW recon.ladder_unmapped_stages AS
    WITH seen AS (
        SELECT r.crm_system, h.stage, h.record_id, h.entered_at AS at FROM recon.funnel_stage_history h
        JOIN recon.funnel_records r USING (record_id)
        UNION ALL
        SELECT r.crm_system, r.stage, r.record_id, NULL FROM recon.funnel_records r
    )
    SELECT s.crm_system, s.stage,
           CASE WHEN m.status IS NULL THEN 'not mapped' ELSE m.status END AS problem,
           recon.crm_ladder(s.crm_system) AS ladder,
           count(DISTINCT s.record_id) AS records, count(s.at) AS history_rows,
           min(s.at) AS first_entered_at, max(s.at) AS last_entered_at, min(s.record_id) AS example_record_id
    FROM seen s
    LEFT JOIN recon.stage_map m ON m.crm_system = s.crm_system AND m.stage = s.stage
    WHERE m.status IS NULL OR m.status IN ('unmapped', 'step not on the current ladder')
    GROUP BY s.crm_system, s.stage, m.status;
COMMENT ON VIEW recon.ladder_unmapped_stages IS
    'Exceptions of the stage mapping: each CRM system''s stage name, found in funnel_records.stage or funnel_stage_history, that no mapping puts on a ladder (not mapped; unmapped when its system switched ladders; or mapped to a step the current ladder version no longer has), with the records and history rows that carry it, when it was first and last entered and an example record. Stages taken off the ladder on purpose (recon.map_stage with step NULL) are not listed. Map them with recon.map_stage. Unique key: (crm_system, stage).';
