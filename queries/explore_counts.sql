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
    from serve_trials
    where trial_filter($f)
      and search_matches($search, search_text)
),

projects_matching as (
    select count(*) as n
    from serve_projects
    where funding_filter($f)
      and search_matches($search, search_text)
),

grants_matching as (
    select count(*) as n
    from serve_grants
    where funding_filter($f)
      and search_matches($search, search_text)
),

final as (
    select
        t.n as trials,
        p.n as projects,
        g.n as grants
    from trials_matching as t, projects_matching as p, grants_matching as g
)

select * from final
