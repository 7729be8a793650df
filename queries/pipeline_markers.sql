-- purpose: The progressive-MS therapy pipeline: one marker per agent at its highest stage, and one per non-drug modality and stage.
-- params:
--   $f                   STRUCT   filter state (its populations choose PPMS, SPMS … and which approvals count); progressive populations and interventional studies are always applied
--   $include_supportive  BOOLEAN  also count supportive, diagnostic and background-therapy agents
--   $include_nondrug     BOOLEAN  also count non-drug interventions without an agent (rehabilitation, exercise …)
-- columns:
--   marker_id            VARCHAR  'agent:<agent_id>' or 'nondrug:<modality>:<stage>'
--   item_kind            VARCHAR  'agent' or 'non-drug'
--   item_id              VARCHAR  agent_id, or the modality of a non-drug group
--   label                VARCHAR  agent name, or the modality
--   mechanism_class      VARCHAR
--   modality             VARCHAR  the agent's modality, or the non-drug modality
--   therapy_role         VARCHAR  the agent's role; empty for non-drug groups
--   reference_url        VARCHAR  the agent's reference (label, registry record or paper); empty for non-drug groups
--   stage                VARCHAR  agents: 'Approved for progressive MS' when a label approves it for a population shown (approved_agents), else the highest stage of their trials (Early phase 1 folded into Phase 1; Not applicable when no trial is phased); non-drug: the trials' stage
--   stage_rank           DOUBLE   the stage as a number (1, 1.5 … 4; 5 for approved); empty for Not applicable
--   stage_status         VARCHAR  status group of the marker's trials at its highest trial phase, the most active one (Recruiting, Active, Completed, Unknown, Stopped early, Withdrawn)
--   trials               BIGINT   trials of the marker (agents: at every stage; non-drug: at this stage)
--   trials_at_stage      BIGINT   trials at the marker's highest trial phase
--   ongoing_trials       BIGINT   trials recruiting or active, not recruiting
--   early_phase1_trials  BIGINT   Early phase 1 trials counted in the marker's stage (folded into Phase 1)
--   enrollment_total     BIGINT   participants summed over the trials that state enrollment (empty when none does)
--   enrollment_max       BIGINT   largest enrollment of one trial
--   trials_no_enrollment BIGINT   trials without a stated enrollment
--   industry_trials      BIGINT   trials whose lead sponsor is industry
--   other_trials         BIGINT   trials whose lead sponsor is academic, a hospital, a government or a network (stated, not industry)
--   sponsors             VARCHAR  'industry', 'academic/other', 'both' or 'not stated': who leads the marker's trials
--   origin               VARCHAR  agents: 'novel' or 'repurposed' (agents.origin); empty when not known and for non-drug groups
--   origin_source        VARCHAR  the page the origin rests on (agents.origin_source)
--   origin_note          VARCHAR  the earlier approval of a repurposed agent, or why a novel one is novel (agents.origin_note)
--   approval             VARCHAR  approved agents: the approvals for the populations shown, e.g. 'PPMS: FDA 2017; PPMS: EMA 2018'; empty otherwise
--   approval_url         VARCHAR  approved agents: the label of the earliest of those approvals; empty otherwise
with marker_trials as (
    select
        r.*,
        case r.status_group
            when 'Recruiting' then 1
            when 'Active, not recruiting' then 2
            when 'Completed' then 3
            when 'Unknown' then 4
            when 'Stopped early' then 5
            else 6
        end as status_order,
        max(coalesce(r.stage_rank, 0)) over (partition by r.marker_id) as top_rank
    from pipeline_trial_rows($f, $include_supportive, $include_nondrug) as r
),

markers as (
    select
        m.marker_id,
        any_value(m.item_kind) as item_kind,
        any_value(m.item_id) as item_id,
        any_value(m.label) as label,
        any_value(m.mechanism_class) as mechanism_class,
        any_value(m.modality) as modality,
        any_value(m.therapy_role) as therapy_role,
        any_value(a.reference_url) as reference_url,
        any_value(a.origin) as origin,
        any_value(a.origin_source) as origin_source,
        any_value(a.origin_note) as origin_note,
        coalesce(
            max(m.stage) filter (where coalesce(m.stage_rank, 0) = m.top_rank),
            'Not applicable'
        ) as stage,
        max(m.stage_rank) as stage_rank,
        arg_min(m.status_group, m.status_order) filter (
            where coalesce(m.stage_rank, 0) = m.top_rank
        ) as stage_status,
        -- pipeline_trial_rows has one row per marker and trial, so count(*) counts distinct trials
        count(*) as trials,
        count(*) filter (where coalesce(m.stage_rank, 0) = m.top_rank) as trials_at_stage,
        count(*) filter (where m.status_group in ('Recruiting', 'Active, not recruiting')) as ongoing_trials,
        count(*) filter (
            where m.phase = 'Early phase 1' and coalesce(m.stage_rank, 0) = m.top_rank
        ) as early_phase1_trials,
        cast(sum(m.enrollment) as bigint) as enrollment_total,
        max(m.enrollment) as enrollment_max,
        count(*) filter (where m.enrollment is null) as trials_no_enrollment,
        count(*) filter (where m.sponsor_class = 'Industry') as industry_trials,
        count(*) filter (where m.sponsor_class not in ('Industry', 'Unknown')) as other_trials
    from marker_trials as m
    left join agents as a on m.item_kind = 'agent' and a.agent_id = m.item_id
    group by m.marker_id
),

-- NOTE: 'Approved for progressive MS' is schema.APPROVED_STAGE; an approval outranks any trial phase.
final as (
    select
        k.marker_id,
        k.item_kind,
        k.item_id,
        k.label,
        k.mechanism_class,
        k.modality,
        k.therapy_role,
        k.reference_url,
        case when ap.agent_id is null then k.stage else 'Approved for progressive MS' end as stage,
        case when ap.agent_id is null then k.stage_rank else 5.0 end as stage_rank,
        k.stage_status,
        k.trials,
        k.trials_at_stage,
        k.ongoing_trials,
        k.early_phase1_trials,
        k.enrollment_total,
        k.enrollment_max,
        k.trials_no_enrollment,
        k.industry_trials,
        k.other_trials,
        case
            when k.industry_trials > 0 and k.other_trials > 0 then 'both'
            when k.industry_trials > 0 then 'industry'
            when k.other_trials > 0 then 'academic/other'
            else 'not stated'
        end as sponsors,
        k.origin,
        k.origin_source,
        k.origin_note,
        ap.approval,
        ap.approval_url
    from markers as k
    left join approved_agents($f) as ap on k.item_kind = 'agent' and ap.agent_id = k.item_id
    order by stage_rank desc nulls last, item_kind, mechanism_class, label
)

select * from final
