-- Proposals to the metrics contract: an analyst proposes a KPI definition (or a revision),
-- an admin accepts it (it becomes a contract version through recon.define_metric) or
-- declines it. Both steps keep who, when and why.

CREATE TABLE recon.metric_proposals (
    proposal_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kpi               text NOT NULL CHECK (kpi ~ '^[a-z][a-z0-9_]{0,62}$'),
    definition        text NOT NULL CHECK (btrim(definition) <> ''),
    system_of_record  text NOT NULL CHECK (system_of_record IN ('platform', 'crm', 'finance', 'recon')),
    date_field        text NOT NULL CHECK (btrim(date_field) <> ''),
    inclusion_rule    text,
    exclusion_rule    text,
    unit              text,
    reason            text NOT NULL CHECK (btrim(reason) <> ''),
    proposed_by       text NOT NULL DEFAULT current_user,
    proposed_at       timestamptz NOT NULL DEFAULT now(),
    status            text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'declined')),
    decided_by        text,
    decided_at        timestamptz,
    decision_reason   text,
    contract_version  integer,
    CONSTRAINT metric_proposals_decided CHECK (
        (status = 'open') = (decided_by IS NULL AND decided_at IS NULL AND decision_reason IS NULL)
        AND (contract_version IS NOT NULL) = (status = 'accepted'))
);
COMMENT ON TABLE recon.metric_proposals IS
    'Proposed metrics-contract definitions: recon.propose_metric writes them (recon_analyst), recon.accept_metric_proposal turns one into a contract version or recon.decline_metric_proposal closes it (recon_admin). Every write is audited.';
SELECT pg_catalog.pg_extension_config_dump('recon.metric_proposals', '');
SELECT pg_catalog.pg_extension_config_dump('recon.metric_proposals_proposal_id_seq', '');

CREATE FUNCTION recon.propose_metric(kpi text, definition text, system_of_record text, date_field text,
                                     reason text, inclusion_rule text DEFAULT NULL,
                                     exclusion_rule text DEFAULT NULL, unit text DEFAULT NULL)
RETURNS bigint LANGUAGE sql AS $$
    INSERT INTO recon.metric_proposals
        (kpi, definition, system_of_record, date_field, inclusion_rule, exclusion_rule, unit, reason)
    VALUES (kpi, definition, system_of_record, date_field, inclusion_rule, exclusion_rule, unit, reason)
    RETURNING proposal_id
$$;
COMMENT ON FUNCTION recon.propose_metric(text, text, text, text, text, text, text, text) IS
    'Proposes a KPI definition or revision for the metrics contract; returns the proposal id. It takes effect only when a recon_admin accepts it. The reason is required.';

-- The open proposal, locked, or an error naming why it cannot be decided.
CREATE FUNCTION recon.metric_proposal_to_decide(id bigint, reason text) RETURNS recon.metric_proposals
LANGUAGE plpgsql AS $$
DECLARE
    p recon.metric_proposals;
BEGIN
    IF reason IS NULL OR btrim(reason) = '' THEN
        RAISE EXCEPTION 'a reason is required to decide metric proposal %', id
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    SELECT * INTO p FROM recon.metric_proposals WHERE proposal_id = id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'metric proposal % does not exist', id USING ERRCODE = 'no_data_found';
    END IF;
    IF p.status <> 'open' THEN
        RAISE EXCEPTION 'metric proposal % is already %', id, p.status
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    RETURN p;
END $$;
COMMENT ON FUNCTION recon.metric_proposal_to_decide(bigint, text) IS
    'The open proposal, locked for the decision; 22004 without a reason, P0002 for an unknown id, 55000 when it is already decided.';

CREATE FUNCTION recon.accept_metric_proposal(id bigint, reason text, valid_from timestamptz DEFAULT now())
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    p recon.metric_proposals := recon.metric_proposal_to_decide(id, reason);
    version integer;
BEGIN
    version := recon.define_metric(p.kpi, p.definition, p.system_of_record, p.date_field,
                                   format('proposal %s by %s: %s; accepted: %s', p.proposal_id, p.proposed_by, p.reason,
                                          accept_metric_proposal.reason),
                                   p.inclusion_rule, p.exclusion_rule, p.unit, valid_from);
    UPDATE recon.metric_proposals
       SET status = 'accepted', decided_by = current_user, decided_at = now(),
           decision_reason = accept_metric_proposal.reason, contract_version = version
     WHERE proposal_id = id;
    RETURN version;
END $$;
COMMENT ON FUNCTION recon.accept_metric_proposal(bigint, text, timestamptz) IS
    'Accepts an open proposal: records it as a new version of the KPI in the metrics contract (effective from valid_from, its reason naming the proposal, its author and the acceptance) and returns the version.';

CREATE FUNCTION recon.decline_metric_proposal(id bigint, reason text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM recon.metric_proposal_to_decide(id, reason);
    UPDATE recon.metric_proposals
       SET status = 'declined', decided_by = current_user, decided_at = now(),
           decision_reason = decline_metric_proposal.reason
     WHERE proposal_id = id;
END $$;
COMMENT ON FUNCTION recon.decline_metric_proposal(bigint, text) IS
    'Declines an open proposal with a reason; the contract does not change.';

CREATE TRIGGER audit AFTER INSERT OR UPDATE ON recon.metric_proposals
    FOR EACH ROW EXECUTE FUNCTION recon.audit_row_change('proposal_id');
