-- purpose: Research-project records for the Explore table and its downloads: current filters, page search, in the chosen order, capped.
-- params:
--   $f         STRUCT   filter state
--   $search    VARCHAR  page search (project id, title, investigator, organisation, funder; case-insensitive); null or '' = all
--   $sort      VARCHAR  row order: 'start' (started projects first, newest start first; then planned starts, soonest first; then no date), 'oldest' (oldest start first), 'title' (A–Z) or 'funder' (A–Z, then newest start); ties and unknown values by project id
--   $max_rows  BIGINT   most rows to return (the table's display cap)
-- columns:
--   project_id      VARCHAR  stable key '<source>:<native id>'
--   url             VARCHAR  funder or registry page for the project
--   title           VARCHAR  project title
--   funder          VARCHAR  funding organisation (NIH institute for NIH rows)
--   start_date      DATE     project start
--   start_kind      VARCHAR  'started', or 'planned' when the start date lies after the source's as-of date; empty when no start date
--   end_date        DATE     project end
--   award_records   BIGINT   award records of the project in the snapshot (NIH: one per fiscal year), all years
--   awarded_eur     DOUBLE   sum of the stated award amounts in EUR (ECB annual mean rate of each award year), all years; empty when no amount is stated; programme totals never included
--   pi              VARCHAR  principal investigator or coordinator, where given
--   organisation    VARCHAR  lead organisation
--   city            VARCHAR  organisation city
--   country         VARCHAR  country name of the lead organisation
--   ms_relevance    VARCHAR  Progressive-specific or MS, not progression-specific
--   gap_area        VARCHAR  Alliance gap area
--   source          VARCHAR  data source the record comes from (its id; Explore shows its name)
--   as_of           DATE     date the source data were retrieved or published

-- NOTE: each order is a rank stored with the project (serve_projects.order_*): the page's rows are
-- found on the ranks alone, then read by their integer key (see explore_trials).
with keyed as (
    select
        project_key,
        case $sort
            when 'start' then project_key
            when 'oldest' then order_oldest
            when 'title' then order_title
            when 'funder' then order_funder
            else order_id
        end as sort_rank
    from serve_projects
    where funding_filter($f)
      and search_matches($search, search_text)
),

shown as (
    select *
    from keyed
    order by sort_rank
    limit $max_rows
),

final as (
    select
        p.project_id,
        p.url,
        p.title,
        p.funder,
        p.start_date,
        p.start_kind,
        p.end_date,
        p.award_records,
        p.awarded_eur,
        p.pi,
        p.organisation,
        p.city,
        p.country,
        p.ms_relevance,
        p.gap_area,
        p.source,
        p.as_of
    from shown as s
    inner join serve_projects as p on p.project_key = s.project_key
    order by s.sort_rank
)

select * from final
