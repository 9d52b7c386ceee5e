/**
 * Where container engines listen on Linux, for the Docker Engine API client (which takes the default
 * socket from its caller and honours DOCKER_HOST before it).
 */

/** The system Docker engine (dockerd's default `-H unix:///var/run/docker.sock`). */
export const LINUX_DOCKER_SOCKET = '/var/run/docker.sock';

/** The rootful Podman service (`podman system service`, podman.socket), which serves the same API. */
export const LINUX_PODMAN_SOCKET = '/run/podman/podman.sock';

/**
 * A rootless engine's socket under the user's runtime directory: `$XDG_RUNTIME_DIR/docker.sock`
 * (dockerd-rootless.sh), `$XDG_RUNTIME_DIR/podman/podman.sock` (rootless Podman).
 *
 * @example
 * rootlessSocket('docker', 1000) // '/run/user/1000/docker.sock'
 */
export function rootlessSocket(engine: 'docker' | 'podman', uid: number, runtimeDir = `/run/user/${uid}`): string {
  return engine === 'docker' ? `${runtimeDir}/docker.sock` : `${runtimeDir}/podman/podman.sock`;
}
