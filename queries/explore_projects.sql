-- purpose: Research-project records for the Explore table and its downloads: current filters, page search, capped.
-- params:
--   $f         STRUCT   filter state
--   $search    VARCHAR  page search (project id, title, investigator, organisation, funder; case-insensitive); null or '' = all
--   $max_rows  BIGINT   most rows to return (the table's display cap)
-- columns:
--   project_id      VARCHAR  stable key '<source>:<native id>'
--   url             VARCHAR  funder or registry page for the project
--   title           VARCHAR  project title
--   funder          VARCHAR  funding organisation (NIH institute for NIH rows)
--   start_date      DATE     project start
--   end_date        DATE     project end
--   award_records   BIGINT   award records of the project in the snapshot (NIH: one per fiscal year), all years
--   awarded_eur     DOUBLE   sum of the stated award amounts in EUR (ECB annual mean rate of each award year), all years; empty when no amount is stated; programme totals never included
--   pi              VARCHAR  principal investigator or coordinator, where given
--   organisation    VARCHAR  lead organisation
--   city            VARCHAR  organisation city
--   country         VARCHAR  country name of the lead organisation
--   ms_relevance    VARCHAR  Progressive-specific or MS, not progression-specific
--   gap_area        VARCHAR  Alliance gap area
--   source          VARCHAR  source id of the record
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

shown as materialized (
    -- NOTE: the cap is applied before the award sums are joined, so only the rows shown are summed.
    select
        project_id,
        url,
        title,
        funder,
        start_date,
        end_date,
        pi,
        organisation,
        city,
        iso3,
        ms_relevance,
        gap_area,
        source,
        as_of
    from matching
    order by start_date desc nulls last, project_id
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
    order by s.start_date desc nulls last, s.project_id
)

select * from final
