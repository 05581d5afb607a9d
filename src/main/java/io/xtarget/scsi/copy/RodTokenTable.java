package io.xtarget.scsi.copy;

import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.ScsiException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Every live ROD token of the server (SPC-4 5.16.4.3 "ROD token life"), owned by the copy command
 * set, so a token made through one target, LU or session can be used through any other.
 *
 * <p>Bounds: at most {@link TokenLimits#maxTokens} live tokens, and {@link
 * TokenLimits#maxTokensPerInitiator} per initiator name. A POPULATE TOKEN past either is refused
 * with INSUFFICIENT RESOURCES (55h/03h) rather than evicting a token: eviction would let one host
 * break another host's copy in flight, a refusal only makes the host copy without offload.
 * Expired tokens are purged first, so the bound counts tokens that can still be used.
 *
 * <p>A token ends by inactivity (unused for its inactivity timeout; never while a WRITE USING TOKEN
 * uses it), by DEL_TKN, or by revocation (its source LU removed, replaced or shrunk). The table
 * remembers the last {@link #TOMBSTONES} ended tokens (id and a SHA-256 of the bytes), so a host
 * presenting one learns why it ended: TOKEN EXPIRED, TOKEN DELETED or TOKEN REVOKED; anything
 * else is TOKEN UNKNOWN.
 */
final class RodTokenTable {
    static final int TOMBSTONES = 4096;
    private static final long PURGE_INTERVAL_NANOS = 1_000_000_000L;

    private enum Ended {
        EXPIRED, DELETED, REVOKED
    }

    private record Tombstone(byte[] digest, Ended why) {}

    private final TokenLimits limits;
    private final LongSupplier clock;
    private final SecureRandom random;
    private final CopyStats stats;
    private final Map<Long, RodToken> live = new HashMap<>();
    private final LinkedHashMap<Long, Tombstone> ended = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Tombstone> eldest) {
            return size() > TOMBSTONES;
        }
    };
    private long nextId;
    private long lastPurge;

    RodTokenTable(TokenLimits limits, LongSupplier nanoClock, SecureRandom random, CopyStats stats) {
        this.limits = limits;
        this.clock = nanoClock;
        this.random = random;
        this.stats = stats;
        this.nextId = random.nextLong() & Long.MAX_VALUE;
        this.lastPurge = nanoClock.getAsLong();
    }

    /**
     * Creates a token for {@code ranges} of {@code source} (already range-checked).
     *
     * @throws ScsiException INSUFFICIENT RESOURCES when the table or the initiator's share is full
     */
    synchronized RodToken create(LogicalUnit source, List<RangeDescriptors.Range> ranges, Nexus creator,
            int inactivitySeconds) throws ScsiException {
        long now = clock.getAsLong();
        purge(now, live.size() >= limits.maxTokens());
        int mine = 0;
        for (RodToken t : live.values()) {
            if (t.creator().initiatorName().equals(creator.initiatorName())) {
                mine++;
            }
        }
        if (live.size() >= limits.maxTokens() || mine >= limits.maxTokensPerInitiator()) {
            throw new ScsiException(CopySense.insufficientResources());
        }
        long id = nextId++;
        RodToken t = RodToken.create(id, random, source, ranges, creator, inactivitySeconds, now);
        live.put(id, t);
        stats.tokenCreated();
        return t;
    }

    /**
     * The live token {@code presented} (512 bytes) is, marked in use until {@link #release}; else
     * the sense saying why not: EXPIRED, DELETED, REVOKED or UNKNOWN. The source LU is checked
     * here too: a token whose source lost a range or changed block size is revoked.
     */
    synchronized RodToken acquire(byte[] presented) throws ScsiException {
        long now = clock.getAsLong();
        purge(now, false);
        long id = ByteBuffer.wrap(presented).getLong(8);
        RodToken t = live.get(id);
        if (t != null && t.matches(presented)) {
            if (t.expiredAt(now)) {
                end(t, Ended.EXPIRED);
                throw new ScsiException(TokenSense.tokenExpired());
            }
            if (!t.sourceIntact()) {
                end(t, Ended.REVOKED);
                throw new ScsiException(TokenSense.tokenRevoked());
            }
            t.active++;
            t.lastActiveNanos = now;
            return t;
        }
        Tombstone gone = ended.get(id);
        if (gone != null && MessageDigest.isEqual(gone.digest(), digest(presented))) {
            throw new ScsiException(switch (gone.why()) {
                case EXPIRED -> TokenSense.tokenExpired();
                case DELETED -> TokenSense.tokenDeleted();
                case REVOKED -> TokenSense.tokenRevoked();
            });
        }
        throw new ScsiException(TokenSense.tokenUnknown());
    }

    /** Ends a use begun by {@link #acquire}; {@code delete} (DEL_TKN=1) ends the token too. */
    synchronized void release(RodToken t, boolean delete) {
        t.active--;
        t.lastActiveNanos = clock.getAsLong();
        if (delete && live.get(t.id()) == t) {
            end(t, Ended.DELETED);
        }
    }

    /** Revokes every token of these LUs (removed from the server or given another store); returns how many. */
    synchronized int revoke(Collection<LogicalUnit> units) {
        List<RodToken> doomed = new ArrayList<>();
        for (RodToken t : live.values()) {
            if (units.contains(t.source())) {
                doomed.add(t);
            }
        }
        doomed.forEach(t -> end(t, Ended.REVOKED));
        return doomed.size();
    }

    /** The live tokens, oldest first by identifier. */
    synchronized List<RodToken> live() {
        purge(clock.getAsLong(), false);
        List<RodToken> out = new ArrayList<>(live.values());
        out.sort((a, b) -> Long.compareUnsigned(a.id(), b.id()));
        return out;
    }

    synchronized int size() {
        return live.size();
    }

    /** Drops every token (server shutdown). */
    synchronized void clear() {
        live.clear();
        ended.clear();
    }

    private void purge(long now, boolean force) {
        if (!force && now - lastPurge < PURGE_INTERVAL_NANOS) {
            return;
        }
        lastPurge = now;
        Iterator<RodToken> it = live.values().iterator();
        List<RodToken> expired = new ArrayList<>();
        while (it.hasNext()) {
            RodToken t = it.next();
            if (t.expiredAt(now)) {
                expired.add(t);
            }
        }
        expired.forEach(t -> end(t, Ended.EXPIRED));
    }

    private void end(RodToken t, Ended why) {
        live.remove(t.id());
        ended.put(t.id(), new Tombstone(digest(t.bytes()), why));
        if (why == Ended.EXPIRED) {
            stats.tokenExpired();
        }
    }

    private static byte[] digest(byte[] token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }
}
