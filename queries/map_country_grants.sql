-- purpose: The matching funding records (awards, programme totals, calls) of one country, for the map's country detail: the 5,000 newest (map_country_counts gives how many match).
-- params:
--   $f         STRUCT   filter state (msprogress.filters.Filters.as_struct)
--   $iso3      VARCHAR  the country selected on the map (ISO-3)
--   $currency  VARCHAR  'EUR', 'USD' or 'GBP'
-- columns:
--   grant_id      VARCHAR  stable grant key
--   year          BIGINT   year the money is counted in
--   title         VARCHAR  award or programme title
--   funder        VARCHAR  organisation that awarded the money
--   record_type   VARCHAR  award, programme (a round's total, never added to awards) or call
--   amount        DOUBLE   amount in the original currency; NULL when the source states none
--   currency      VARCHAR  ISO 4217 code of amount
--   amount_cur    DOUBLE   amount converted to $currency; NULL when no amount is stated
--   fx_method     VARCHAR  how the amount was converted
--   url           VARCHAR  source page or the funder's record

-- NOTE: country_order ranks a country's grants newest year first (queries/_serving.sql): the list is
-- found on the rank alone, then its rows read by it.
with shown as (
    select country_order
    from serve_grants
    where funding_filter($f)
      and iso3 = $iso3
    order by country_order
    limit 5000  -- the table's display cap: a country can hold most of the data (USA)
),

final as (
    select
        g.grant_id,
        g.year,
        g.title,
        g.funder,
        g.record_type,
        g.amount,
        g.currency,
        in_currency($currency, g.amount_eur, g.amount_usd, g.amount_gbp) as amount_cur,
        g.fx_method,
        g.url
    from shown as s
    inner join serve_grants as g on g.country_order = s.country_order
    order by s.country_order
)

select * from final
