-- purpose: How many trials, projects and grant records match the current filters and page search (before the display cap).
-- params:
--   $f       STRUCT   filter state
--   $search  VARCHAR  page search, as in explore_trials / explore_projects / explore_grants; null or '' = all
-- columns:
--   trials    BIGINT  trials matching
--   projects  BIGINT  research projects matching
--   grants    BIGINT  grant records matching (awards, programme totals and calls)
with trials_matching as (
    select count(*) as n
    from filtered_trials($f)
    where coalesce($search, '') = ''
       or contains(
           lower(concat_ws(' ', trial_id, brief_title, official_title, sponsor, conditions)),
           lower($search)
       )
),

projects_matching as (
    select count(*) as n
    from filtered_projects($f)
    where coalesce($search, '') = ''
       or contains(
           lower(concat_ws(' ', project_id, title, pi, organisation, funder)),
           lower($search)
       )
),

grants_matching as (
    select count(*) as n
    from filtered_grants($f)
    where coalesce($search, '') = ''
       or contains(
           lower(concat_ws(' ', grant_id, title, funder, programme)),
           lower($search)
       )
),

final as (
    select
        t.n as trials,
        p.n as projects,
        g.n as grants
    from trials_matching as t, projects_matching as p, grants_matching as g
)

select * from final
