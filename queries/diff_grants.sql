-- purpose: Grants added, changed and no longer in their source between an earlier snapshot and this one.
-- params:
--   $f         STRUCT   filter state, applied in each snapshot to its own rows
--   $currency  VARCHAR  'EUR', 'USD' or 'GBP'
-- columns:
--   change          VARCHAR  'added', 'changed' or 'no longer in the source'
--   grant_id        VARCHAR
--   source          VARCHAR  source now (then, for a grant no longer in the source)
--   series_id       VARCHAR  coverage series now (then, for a grant no longer in the source)
--   funder          VARCHAR
--   record_type     VARCHAR
--   year            INTEGER  year the money is counted in (now; then for a grant no longer in the source)
--   title           VARCHAR
--   url             VARCHAR
--   amount_before   DOUBLE   amount in $currency in the earlier snapshot (empty when added, or not stated)
--   amount_after    DOUBLE   amount in $currency now (empty when no longer in the source, or not stated)
--   changed_fields  VARCHAR  for 'changed': the fields that differ, comma-separated (funder, programme, record type, year, amount, currency, amount basis, title, country, MS relevance, gap area, coverage series)

-- NOTE: the filters choose grants in each snapshot's serving table; the comparison reads the
-- canonical tables, where a grant that left MS research is still found. Each is read once, for the
-- matched grants.
with matched as (
    -- the grants matching the filters in either snapshot
    select
        grant_id,
        bool_or(side = 'now') as now_match,
        bool_or(side = 'then') as then_match
    from (
        select grant_id, 'now' as side from serve_grants where funding_filter($f)
        union all
        select grant_id, 'then' as side from prev_serve_grants where funding_filter($f)
    )
    group by grant_id
),

pairs as (
    select
        m.grant_id,
        m.now_match,
        m.then_match,
        n.grant_id is not null as in_now,
        p.grant_id is not null as in_then,
        n.funder,
        n.programme,
        n.record_type,
        n.year,
        n.amount,
        n.currency,
        n.amount_basis,
        n.title,
        n.iso3,
        n.ms_relevance,
        n.gap_area,
        n.series_id,
        n.source,
        n.url,
        n.amount_eur,
        n.amount_usd,
        n.amount_gbp,
        p.funder as then_funder,
        p.programme as then_programme,
        p.record_type as then_record_type,
        p.year as then_year,
        p.amount as then_amount,
        p.currency as then_currency,
        p.amount_basis as then_amount_basis,
        p.title as then_title,
        p.iso3 as then_iso3,
        p.ms_relevance as then_ms_relevance,
        p.gap_area as then_gap_area,
        p.series_id as then_series_id,
        p.source as then_source,
        p.url as then_url,
        p.amount_eur as then_amount_eur,
        p.amount_usd as then_amount_usd,
        p.amount_gbp as then_amount_gbp
    from matched as m
    left join grants as n on n.grant_id = m.grant_id
    left join prev_grants as p on p.grant_id = m.grant_id
),

changes as (
    select
        'added' as change,
        grant_id,
        source,
        series_id,
        funder,
        record_type,
        year,
        title,
        url,
        null as amount_before,
        in_currency($currency, amount_eur, amount_usd, amount_gbp) as amount_after,
        null as changed_fields
    from pairs
    where now_match
      and not in_then
    union all
    select
        'no longer in the source' as change,
        grant_id,
        then_source,
        then_series_id,
        then_funder,
        then_record_type,
        then_year,
        then_title,
        then_url,
        in_currency($currency, then_amount_eur, then_amount_usd, then_amount_gbp),
        null,
        null
    from pairs
    where then_match
      and not in_now
    union all
    select
        'changed' as change,
        grant_id,
        source,
        series_id,
        funder,
        record_type,
        year,
        title,
        url,
        in_currency($currency, then_amount_eur, then_amount_usd, then_amount_gbp),
        in_currency($currency, amount_eur, amount_usd, amount_gbp),
        concat_ws(
            ', ',
            case when funder is distinct from then_funder then 'funder' end,
            case when programme is distinct from then_programme then 'programme' end,
            case when record_type is distinct from then_record_type then 'record type' end,
            case when year is distinct from then_year then 'year' end,
            case when amount is distinct from then_amount then 'amount' end,
            case when currency is distinct from then_currency then 'currency' end,
            case when amount_basis is distinct from then_amount_basis then 'amount basis' end,
            case when title is distinct from then_title then 'title' end,
            case when iso3 is distinct from then_iso3 then 'country' end,
            case when ms_relevance is distinct from then_ms_relevance then 'MS relevance' end,
            case when gap_area is distinct from then_gap_area then 'gap area' end,
            case when series_id is distinct from then_series_id then 'coverage series' end
        )
    from pairs
    where in_now
      and in_then
),

final as (
    select
        change,
        grant_id,
        source,
        series_id,
        funder,
        record_type,
        cast(year as integer) as year,
        title,
        url,
        cast(amount_before as double) as amount_before,
        cast(amount_after as double) as amount_after,
        cast(changed_fields as varchar) as changed_fields
    from changes
    where change <> 'changed'
       or changed_fields <> ''
)

select * from final
order by case change when 'added' then 1 when 'changed' then 2 else 3 end, source, grant_id
