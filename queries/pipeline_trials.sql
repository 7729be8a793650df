-- purpose: Progressive-MS interventional trials of each pipeline marker (an agent, or a non-drug modality at a stage), one row per marker and trial.
-- params:
--   $f                   STRUCT   filter state (its populations choose PPMS, SPMS …); progressive populations and interventional studies are always applied
--   $include_supportive  BOOLEAN  also count supportive, diagnostic and background-therapy agents
--   $include_nondrug     BOOLEAN  also count non-drug interventions without an agent (rehabilitation, exercise …)
-- columns:
--   marker_id        VARCHAR  'agent:<agent_id>' or 'nondrug:<modality>:<stage>' (one marker on the pipeline grid)
--   item_kind        VARCHAR  'agent' or 'non-drug'
--   item_id          VARCHAR  agent_id, or the modality of a non-drug intervention
--   label            VARCHAR  agent name, or the modality
--   mechanism_class  VARCHAR
--   modality         VARCHAR  the agent's modality, or the intervention modality for non-drug rows
--   therapy_role     VARCHAR  the agent's role; empty for non-drug rows
--   trial_id         VARCHAR
--   registry         VARCHAR
--   url              VARCHAR
--   brief_title      VARCHAR
--   phase            VARCHAR  the trial's normalised phase
--   stage            VARCHAR  the trial's pipeline column: its phase, Early phase 1 folded into Phase 1, Not applicable for unphased trials
--   stage_rank       DOUBLE   the stage as a number (1, 1.5 … 4); empty for Not applicable
--   status_group     VARCHAR
--   population       VARCHAR
--   sponsor          VARCHAR
--   sponsor_class    VARCHAR  Industry, Academic/other, NIH … (empty when the registry does not say)
--   start_date       DATE
--   completion_date  DATE
--   enrollment       BIGINT   participants, actual or anticipated (empty when not stated)
with final as (
    select *
    from pipeline_trial_rows($f, $include_supportive, $include_nondrug)
)

select * from final
order by item_kind, label, stage_rank desc nulls last, start_date, trial_id
