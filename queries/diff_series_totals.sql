-- purpose: Award money per coverage series in an earlier snapshot and now: each series compared only with itself.
-- params:
--   $f         STRUCT   filter state, applied in each snapshot to its own rows
--   $currency  VARCHAR  'EUR', 'USD' or 'GBP'
-- columns:
--   series_id          VARCHAR  coverage series (see funding_series)
--   series_title       VARCHAR  the series in words (now; then for a series no longer in the snapshot)
--   awards_before      BIGINT   award records then (empty when the series was not in the earlier snapshot)
--   awards_after       BIGINT   award records now (empty when the series is no longer in the snapshot)
--   awarded_before     DOUBLE   their money in $currency then (empty when no award stated a convertible amount)
--   awarded_after      DOUBLE   their money in $currency now
--   first_year_before  INTEGER  first award year then
--   last_year_before   INTEGER  last award year then
--   first_year_after   INTEGER  first award year now
--   last_year_after    INTEGER  last award year now

-- NOTE: the same awards as the Funding page's series totals (filtered_grants, record_type 'award',
-- never programme totals or calls); amounts are each snapshot's own conversion.
with awards as (
    select
        'now' as side,
        series_id,
        year,
        in_currency($currency, amount_eur, amount_usd, amount_gbp) as amount_cur
    from filtered_grants($f)
    where record_type = 'award'
    union all
    select
        'then' as side,
        series_id,
        year,
        in_currency($currency, amount_eur, amount_usd, amount_gbp) as amount_cur
    from filtered_grants($f, snap := 'prev_')
    where record_type = 'award'
),

totals as (
    select
        side,
        series_id,
        count(*) as awards,
        sum(amount_cur) as awarded,
        min(year)::integer as first_year,
        max(year)::integer as last_year
    from awards
    group by side, series_id
),

now_series as (
    select *
    from totals
    where side = 'now'
),

then_series as (
    select *
    from totals
    where side = 'then'
),

titles as (
    select
        series_id,
        title
    from funding_series
    union all
    select
        series_id,
        title
    from prev_funding_series
    where series_id not in (select series_id from funding_series)
),

final as (
    select
        coalesce(n.series_id, p.series_id) as series_id,
        coalesce(t.title, coalesce(n.series_id, p.series_id)) as series_title,
        p.awards as awards_before,
        n.awards as awards_after,
        p.awarded as awarded_before,
        n.awarded as awarded_after,
        p.first_year as first_year_before,
        p.last_year as last_year_before,
        n.first_year as first_year_after,
        n.last_year as last_year_after
    from now_series as n
    full outer join then_series as p on p.series_id = n.series_id
    left join titles as t on t.series_id = coalesce(n.series_id, p.series_id)
)

select * from final
order by awarded_after desc nulls last, awarded_before desc nulls last, series_id
