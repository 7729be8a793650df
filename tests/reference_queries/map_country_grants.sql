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
with final as (
    select
        grant_id,
        year,
        title,
        funder,
        record_type,
        amount,
        currency,
        in_currency($currency, amount_eur, amount_usd, amount_gbp) as amount_cur,
        fx_method,
        url
    from filtered_grants($f)
    where iso3 = $iso3
    order by year desc nulls last, grant_id
    limit 5000  -- the table's display cap: a country can hold most of the data (USA)
)

select * from final
order by year desc nulls last, grant_id
