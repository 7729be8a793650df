-- purpose: The values the sidebar filters offer (and the URL parser accepts), from the snapshot.
-- params:
--   (none)
-- columns:
--   kind    VARCHAR  'country', 'region' or 'funder'
--   value   VARCHAR  the value stored in the data (ISO-3, UN region, funder name)
--   label   VARCHAR  what the user sees
--   n       BIGINT   records carrying the value
with trial_country as (
    -- one row per trial and country (the table's primary key): count(*) counts distinct trials
    select iso3, count(*) as n
    from trial_countries
    group by iso3
),

project_country as (
    select iso3, count(*) as n
    from projects
    where iso3 is not null and ms_relevance <> 'Not MS'
    group by iso3
),

used_countries as (
    select c.iso3, c.name, c.region, coalesce(t.n, 0) + coalesce(p.n, 0) as n
    from countries as c
    left join trial_country as t on t.iso3 = c.iso3
    left join project_country as p on p.iso3 = c.iso3
    where t.n is not null or p.n is not null
),

final as (
    select 'country' as kind, iso3 as value, name as label, n from used_countries
    union all
    select 'region' as kind, region as value, region as label, sum(n) as n
    from used_countries
    where region is not null
    group by region
    union all
    select 'funder' as kind, funder as value, funder as label, count(*) as n
    from grants
    where ms_relevance <> 'Not MS'
    group by funder
)

select * from final
order by kind, label
