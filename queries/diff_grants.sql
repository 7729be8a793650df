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

with now_grants as (
    select *
    from filtered_grants($f)
),

then_grants as (
    select *
    from filtered_grants($f, snap := 'prev_')
),

both_grants as (
    select
        n.*,
        in_currency($currency, p.amount_eur, p.amount_usd, p.amount_gbp) as then_amount_cur,
        concat_ws(
            ', ',
            case when n.funder is distinct from p.funder then 'funder' end,
            case when n.programme is distinct from p.programme then 'programme' end,
            case when n.record_type is distinct from p.record_type then 'record type' end,
            case when n.year is distinct from p.year then 'year' end,
            case when n.amount is distinct from p.amount then 'amount' end,
            case when n.currency is distinct from p.currency then 'currency' end,
            case when n.amount_basis is distinct from p.amount_basis then 'amount basis' end,
            case when n.title is distinct from p.title then 'title' end,
            case when n.iso3 is distinct from p.iso3 then 'country' end,
            case when n.ms_relevance is distinct from p.ms_relevance then 'MS relevance' end,
            case when n.gap_area is distinct from p.gap_area then 'gap area' end,
            case when n.series_id is distinct from p.series_id then 'coverage series' end
        ) as changed_fields
    from grants as n
    inner join prev_grants as p on p.grant_id = n.grant_id
    where n.grant_id in (select grant_id from now_grants)
       or n.grant_id in (select grant_id from then_grants)
),

changes as (
    select
        'added' as change,
        *,
        null as amount_before,
        in_currency($currency, amount_eur, amount_usd, amount_gbp) as amount_after,
        null as changed_fields
    from now_grants
    where grant_id not in (select grant_id from prev_grants)
    union all by name
    select
        'no longer in the source' as change,
        *,
        in_currency($currency, amount_eur, amount_usd, amount_gbp) as amount_before,
        null as amount_after,
        null as changed_fields
    from then_grants
    where grant_id not in (select grant_id from grants)
    union all by name
    select
        'changed' as change,
        * exclude (then_amount_cur),
        then_amount_cur as amount_before,
        in_currency($currency, amount_eur, amount_usd, amount_gbp) as amount_after
    from both_grants
    where changed_fields <> ''
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
)

select * from final
order by case change when 'added' then 1 when 'changed' then 2 else 3 end, source, grant_id
