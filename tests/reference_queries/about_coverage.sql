-- purpose: Which years each trial registry and each funding coverage series covers, for the About page's grid (a year not listed is not covered).
-- params:
--   (none)
-- columns:
--   source    VARCHAR  source id
--   series_id VARCHAR  funding: the coverage series; registries: the source id
--   label     VARCHAR  funding: the series in words; registries: empty (the page names the registry)
--   year      BIGINT   funding sources: fiscal or award year with records; registries: trial start year
--   coverage  VARCHAR  'complete …' or 'partial …', with what the word means for this row
--   records   BIGINT   grant records (funding) or trials starting (registries) in that year
with funding as (
    select
        s.source,
        c.series_id,
        s.title as label,
        c.year,
        c.coverage || ' (' || c.basis || ')' as coverage,
        count(g.grant_id) as records
    from series_coverage as c
    inner join funding_series as s on s.series_id = c.series_id
    left join grants as g on g.series_id = c.series_id and g.year = c.year
    group by s.source, c.series_id, s.title, c.year, c.coverage, c.basis
),

registries as (
    select
        source,
        year(start_date) as year,
        count(*) as records
    from trials
    where start_date is not null
    group by source, year(start_date)
),

registry_coverage as (
    -- NOTE: registry coverage is a judgement stated here, not in the data: ClinicalTrials.gov
    -- registration became expected in 2005 (ICMJE) and required in 2007 (FDAAA), so earlier start
    -- years hold only the trials registered then or retrospectively; CTIS went live on 2022-01-31
    -- and holds older EU trials only when they transitioned from EudraCT.
    select
        source,
        source as series_id,
        cast(null as varchar) as label,
        year,
        case
            when source in ('ctgov', 'ctgov_api') and year >= 2005 then 'complete (trials registered on ClinicalTrials.gov)'
            when source in ('ctgov', 'ctgov_api') then 'partial (registration not yet expected)'
            when source = 'ctis' and year >= 2023 then 'complete (EU/EEA trials authorised under the Regulation)'
            else 'partial (only trials transitioned from EudraCT)'
        end as coverage,
        records
    from registries
),

final as (
    select source, series_id, label, year, coverage, records from registry_coverage
    union all
    select source, series_id, label, year, coverage, records from funding
)

select * from final
order by source, series_id, year
