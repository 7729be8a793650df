-- purpose: Programme totals (a round's or budget's total) and calls (announced ceilings, not money spent), shown apart from awards.
-- params:
--   $f         STRUCT   filter state
--   $currency  VARCHAR  'EUR', 'USD' or 'GBP'
-- columns:
--   record_type       VARCHAR  'programme' (a round's total) or 'call' (announced, not money spent)
--   year              INTEGER  year of the programme or call (empty when the source gives none)
--   funder            VARCHAR  funder
--   programme         VARCHAR  programme, round or call name
--   amount_cur        DOUBLE   stated amount in $currency (empty when none is stated or it has no year to convert at)
--   amount            DOUBLE   stated amount in the original currency
--   currency          VARCHAR  original currency (ISO 4217)
--   amount_basis      VARCHAR  how the amount is meant: total, per_award, up_to, at_least, approximate …
--   n_awards          BIGINT   number of awards the programme or call covers, where stated
--   title             VARCHAR  topic or note
--   url               VARCHAR  source page
--   source            VARCHAR  source id
with rows as (
    select *
    from serve_grants
    where funding_filter($f)
      and record_type in ('programme', 'call')
),

final as (
    select
        record_type,
        year::integer as year,
        funder,
        programme,
        in_currency($currency, amount_eur, amount_usd, amount_gbp) as amount_cur,
        amount,
        currency,
        amount_basis,
        n_awards::bigint as n_awards,
        title,
        url,
        source
    from rows
    order by record_type desc, year nulls last, funder, programme, grant_id
)

select * from final
