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
with matching as not materialized (
    select *
    from filtered_projects($f)
    where coalesce($search, '') = ''
       or contains(
           lower(concat_ws(' ', project_id, title, pi, organisation, funder)),
           lower($search)
       )
),

-- The chosen order as three ascending keys, nulls last (sort_1 a number, sort_2 a text, sort_3 a
-- number), written once and applied both before the cap and to the rows shown.
keyed as (
    select
        *,
        case when start_date > as_of then 'planned' when start_date is not null then 'started' end as start_kind,
        case $sort
            when 'start' then case when start_date is null then 2 when start_date > as_of then 1 else 0 end
            when 'oldest' then epoch(start_date)
        end as sort_1,
        case $sort
            when 'title' then lower(title)
            when 'funder' then lower(funder)
        end as sort_2,
        case $sort
            when 'start' then case when start_date > as_of then epoch(start_date) else -epoch(start_date) end
            when 'funder' then -epoch(start_date)
        end as sort_3
    from matching
),

shown as materialized (
    -- NOTE: the cap is applied before the award sums are joined, so only the rows shown are summed.
    select
        project_id,
        url,
        title,
        funder,
        start_date,
        start_kind,
        end_date,
        pi,
        organisation,
        city,
        iso3,
        ms_relevance,
        gap_area,
        source,
        as_of,
        sort_1,
        sort_2,
        sort_3
    from keyed
    order by sort_1 nulls last, sort_2 nulls last, sort_3 nulls last, project_id
    limit $max_rows
),

project_awards as (
    select
        project_id,
        count(*) as award_records,
        sum(amount_eur) as awarded_eur
    from grants
    where record_type = 'award'
      and project_id in (select project_id from shown)
    group by project_id
),

final as (
    select
        s.project_id,
        s.url,
        s.title,
        s.funder,
        s.start_date,
        s.start_kind,
        s.end_date,
        coalesce(a.award_records, 0) as award_records,
        a.awarded_eur,
        s.pi,
        s.organisation,
        s.city,
        c.name as country,
        s.ms_relevance,
        s.gap_area,
        s.source,
        s.as_of
    from shown as s
    left join project_awards as a on a.project_id = s.project_id
    left join countries as c on c.iso3 = s.iso3
    order by s.sort_1 nulls last, s.sort_2 nulls last, s.sort_3 nulls last, s.project_id
)

select * from final
