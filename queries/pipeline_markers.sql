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
with final as (
    select *
    from pipeline_marker_rows($f, $include_supportive, $include_nondrug)
)

select * from final
order by stage_rank desc nulls last, item_kind, mechanism_class, label
