-- The sidebar's profile in one statement (PostgreSQL): every part the composed reader reads
-- with a query of its own, here a subquery, so the profile costs one round trip. Parts come
-- out as JSON under the wire names (`ProfileParts`); times as RFC 3339 UTC to the second.
-- $1 the signed-in guide's id (read only while active), $2 the customer's external userid, $3 now, $4 a year ago.
WITH rel AS (
    SELECT gc.id, gc.customer_id, gc.remark, gc.description, gc.added_at, gc.status,
           c.external_userid, c.name, c.avatar, c.gender, c.contact_type, c.corp_name
    FROM guide_customers gc
    JOIN customers c ON c.id = gc.customer_id
    -- Only for a guide still active: the caller does not re-read the guide first.
    JOIN guides me ON me.id = gc.guide_id AND me.status = 'active'
    WHERE gc.guide_id = $1 AND c.external_userid = $2
    LIMIT 1
), mem AS (
    SELECT m.*, mc.matched_by
    FROM member_customers mc
    JOIN members m ON m.id = mc.member_id
    WHERE mc.customer_id = (SELECT customer_id FROM rel)
    LIMIT 1
), recent AS (
    SELECT o.id, o.source_id, o.channel, o.status, o.total_fen, o.paid_fen, o.ordered_at,
           s.name AS store_name
    FROM orders o
    LEFT JOIN stores s ON s.id = o.store_id
    WHERE o.member_id = (SELECT id FROM mem)
    ORDER BY o.ordered_at DESC, o.id DESC
    LIMIT 3
)
SELECT json_build_object(
    'contact', json_build_object(
        'externalUserid', rel.external_userid,
        'name', rel.name,
        'avatar', rel.avatar,
        'gender', rel.gender,
        'contactType', rel.contact_type,
        'corpName', rel.corp_name,
        'remark', rel.remark,
        'description', rel.description,
        'addedAt', to_char(rel.added_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
        'relation', rel.status),
    'exclusiveGuide', (
        SELECT json_build_object(
            'userid', g.wecom_userid,
            'name', g.name,
            'since', to_char(first.added_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
            'isMe', g.id = $1)
        FROM guide_customers first
        JOIN guides g ON g.id = first.guide_id
        WHERE first.customer_id = rel.customer_id AND first.status = 'active'
        ORDER BY first.added_at, first.id
        LIMIT 1),
    'corpTags', COALESCE((
        SELECT json_agg(json_build_array(tg.wecom_group_id, tg.name, t.wecom_tag_id, t.name)
                        ORDER BY tg.sort_order, tg.id, t.sort_order, t.id)
        FROM guide_customer_tags gct
        JOIN tags t ON t.id = gct.tag_id AND NOT t.deleted
        JOIN tag_groups tg ON tg.id = t.group_id
        WHERE gct.guide_customer_id = rel.id), '[]'),
    'member', (
        SELECT json_build_object(
            'memberId', mem.source_id,
            'name', mem.name,
            'level', mem.level,
            'points', mem.points,
            'balanceFen', mem.balance_fen,
            'homeStore', (
                SELECT json_build_object('storeId', s.source_id, 'name', s.name, 'city', s.city)
                FROM stores s WHERE s.id = mem.home_store_id),
            'registeredAt',
                to_char(mem.registered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
            'birthday', to_char(mem.birthday, 'YYYY-MM-DD'),
            'mobileMasked', '1** **** ' || mem.mobile_last4,
            'matchedBy', mem.matched_by)
        FROM mem),
    'mallTags', COALESCE((
        SELECT json_agg(json_build_array(mt.group_name, mt.tag_name)
                        ORDER BY mt.group_name, mt.tag_name)
        FROM member_tags mt
        WHERE mt.member_id = (SELECT id FROM mem)), '[]'),
    'recentOrders', COALESCE((
        SELECT json_agg(json_build_object(
            'id', o.id,
            'orderNo', o.source_id,
            'channel', o.channel,
            'status', o.status,
            'storeName', o.store_name,
            'totalFen', o.total_fen,
            'paidFen', o.paid_fen,
            'orderedAt', to_char(o.ordered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
            'itemCount', items.count,
            'firstItem', items.first,
            'shipment', (
                SELECT json_build_object(
                    'carrierName', p.carrier_name,
                    'trackingNo', p.tracking_no,
                    'status', p.status,
                    'latest', e.description,
                    'latestAt',
                        to_char(e.happened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
                FROM shipments p
                LEFT JOIN LATERAL (
                    SELECT ev.description, ev.happened_at
                    FROM shipment_events ev
                    WHERE ev.shipment_id = p.id
                    ORDER BY ev.happened_at DESC, ev.id DESC
                    LIMIT 1) e ON true
                WHERE p.order_id = o.id
                ORDER BY p.id DESC
                LIMIT 1))
            ORDER BY o.ordered_at DESC, o.id DESC)
        FROM recent o
        CROSS JOIN LATERAL (
            SELECT count(*) AS count,
                   (array_agg(i.title ORDER BY i.line_no))[1] AS first
            FROM order_items i
            WHERE i.order_id = o.id) items), '[]'),
    'lastOrderAt', (
        -- To the microsecond: the days since the last order are counted from it.
        SELECT to_char(max(o.ordered_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        FROM recent o),
    'spend12mFen', (
        SELECT COALESCE(sum(o.paid_fen), 0)::bigint
        FROM orders o
        WHERE o.member_id = (SELECT id FROM mem) AND o.ordered_at >= $4
          AND o.status NOT IN ('cancelled', 'refunded')),
    'usableCoupons', (
        SELECT count(*)
        FROM coupon_grants cg
        WHERE cg.member_id = (SELECT id FROM mem) AND cg.status IN ('issued', 'claimed')
          AND (cg.expires_at IS NULL OR cg.expires_at > $3))
)::text
FROM rel
