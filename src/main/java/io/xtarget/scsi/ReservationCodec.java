package io.xtarget.scsi;

import io.xtarget.scsi.ReservationState.LoggedAttention;
import io.xtarget.scsi.ReservationState.Registration;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link ReservationState} as bytes, for a ledger shared through the storage cluster. Big-endian:
 * magic "XTPR", format 1, PRGENERATION (4), TYPE code (1, 0: none), APTPL (1), sequence (8), the
 * SPC-2 holder and the persistent holder as nexuses, the registrations (count 4, then nexus and
 * key 8 each) and the logged unit attentions (count 4, then sequence 8, nexus, sense key, ASC,
 * ASCQ and abort-tasks flag 1 each). A nexus is a presence byte, then the initiator port (device name, port name as
 * modified UTF-8, TransportID as length 2 and bytes) and the target port (presence byte; target
 * name, SCSI port name, protocol identifier 1, version descriptor 2, relative port 4, port group
 * 4, portal (presence byte, string), portal group tag 4), every field {@link Nexus#equals}
 * compares. Empty bytes are {@link ReservationState#EMPTY} (a record nobody wrote yet).
 */
public final class ReservationCodec {
    private static final int MAGIC = 0x58545052; // "XTPR"
    private static final int FORMAT = 1;
    /** Bounds a hostile or corrupt record's counts before anything is allocated for them. */
    private static final int MAX_ENTRIES = 1 << 16;

    private ReservationCodec() {}

    /** Bytes that are not a reservation record of this format (damaged, or written by something else). */
    public static final class UnreadableRecordException extends IOException {
        public UnreadableRecordException(String message) {
            super(message);
        }
    }

    /** The bytes of {@code s} in the format above (a few dozen bytes plus about 150 per nexus). */
    public static byte[] encode(ReservationState s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeByte(FORMAT);
            out.writeInt(s.generation());
            out.writeByte(s.typeCode());
            out.writeBoolean(s.aptpl());
            out.writeLong(s.sequence());
            nexus(out, s.spc2Holder());
            nexus(out, s.holder());
            out.writeInt(s.registrations().size());
            for (Registration r : s.registrations()) {
                nexus(out, r.nexus());
                out.writeLong(r.key());
            }
            out.writeInt(s.recent().size());
            for (LoggedAttention a : s.recent()) {
                out.writeLong(a.sequence());
                nexus(out, a.nexus());
                out.writeByte(a.sense().key());
                out.writeByte(a.sense().asc());
                out.writeByte(a.sense().ascq());
                out.writeBoolean(a.abortTasks());
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    /**
     * The state {@code bytes} encode.
     *
     * @throws UnreadableRecordException when they are not a record of this format (naming what is wrong)
     */
    public static ReservationState decode(byte[] bytes) throws IOException {
        if (bytes.length == 0) {
            return ReservationState.EMPTY;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            if (in.readInt() != MAGIC) {
                throw new UnreadableRecordException("not a reservation record (bad magic)");
            }
            int format = in.readUnsignedByte();
            if (format != FORMAT) {
                throw new UnreadableRecordException("reservation record format " + format + " is not known here");
            }
            int generation = in.readInt();
            int code = in.readUnsignedByte();
            ReservationType type = code == 0 ? null : ReservationType.of(code);
            if (code != 0 && type == null) {
                throw new UnreadableRecordException("reservation record has type " + code);
            }
            boolean aptpl = in.readBoolean();
            long sequence = in.readLong();
            Nexus spc2 = nexus(in);
            Nexus holder = nexus(in);
            List<Registration> regs = new ArrayList<>();
            for (int i = count(in); i > 0; i--) {
                regs.add(new Registration(required(nexus(in)), in.readLong()));
            }
            List<LoggedAttention> log = new ArrayList<>();
            for (int i = count(in); i > 0; i--) {
                long seq = in.readLong();
                Nexus n = required(nexus(in));
                Sense sense = new Sense(in.readUnsignedByte(), in.readUnsignedByte(), in.readUnsignedByte());
                log.add(new LoggedAttention(seq, n, sense, in.readBoolean()));
            }
            if (in.available() != 0) {
                throw new UnreadableRecordException("reservation record has " + in.available() + " bytes too many");
            }
            return new ReservationState(spc2, regs, generation, type, holder, aptpl, sequence, log);
        } catch (java.io.EOFException e) {
            throw new UnreadableRecordException("reservation record is truncated");
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new UnreadableRecordException("reservation record is invalid: " + e.getMessage());
        }
    }

    private static int count(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_ENTRIES) {
            throw new UnreadableRecordException("reservation record has " + n + " entries");
        }
        return n;
    }

    private static Nexus required(Nexus n) throws IOException {
        if (n == null) {
            throw new UnreadableRecordException("reservation record lacks a nexus");
        }
        return n;
    }

    private static void nexus(DataOutputStream out, Nexus n) throws IOException {
        out.writeBoolean(n != null);
        if (n == null) {
            return;
        }
        InitiatorPort i = n.initiator();
        out.writeUTF(i.name());
        out.writeUTF(i.portName());
        byte[] tid = i.transportId();
        out.writeShort(tid.length);
        out.write(tid);
        TargetPort p = n.port();
        out.writeBoolean(p != null);
        if (p != null) {
            out.writeUTF(p.targetName());
            out.writeUTF(p.scsiPortName());
            out.writeByte(p.protocol().identifier());
            out.writeShort(p.protocol().versionDescriptor());
            out.writeInt(p.relativePortId());
            out.writeInt(p.portGroupId());
            out.writeBoolean(p.portal() != null);
            if (p.portal() != null) {
                out.writeUTF(p.portal());
            }
            out.writeInt(p.portalGroupTag());
        }
    }

    private static Nexus nexus(DataInputStream in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        String name = in.readUTF();
        String portName = in.readUTF();
        byte[] tid = new byte[in.readUnsignedShort()];
        in.readFully(tid);
        InitiatorPort initiator = new InitiatorPort(name, portName, tid);
        TargetPort port = null;
        if (in.readBoolean()) {
            String target = in.readUTF();
            String scsiName = in.readUTF();
            TransportProtocol protocol = new TransportProtocol(in.readUnsignedByte(), in.readUnsignedShort());
            int relative = in.readInt();
            int group = in.readInt();
            String portal = in.readBoolean() ? in.readUTF() : null;
            port = new TargetPort(target, scsiName, protocol, relative, group, portal, in.readInt());
        }
        return new Nexus(initiator, port);
    }
}
