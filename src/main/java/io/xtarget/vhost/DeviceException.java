package io.xtarget.vhost;

/**
 * The front-end or the guest broke the protocol (a malformed vhost-user message, a descriptor
 * outside guest memory, a looping chain, an impossible ring index...): the device cannot go on,
 * so its session ends (vhost-user: "If back-end detects some error ... it may also close the
 * connection"; virtio 1.1 2.1.2: a device that cannot continue sets DEVICE_NEEDS_RESET, which
 * over vhost-user is the closed connection). Never harms other sessions or the server.
 */
final class DeviceException extends Exception {
    DeviceException(String message) {
        super(message);
    }

    DeviceException(String message, Throwable cause) {
        super(message, cause);
    }
}
