/**
 * Where Docker Desktop for Mac listens: the per-user socket `~/.docker/run/docker.sock` (Docker
 * Desktop 4.13 and later; /var/run/docker.sock links to it only when "Allow the default Docker
 * socket" is enabled: docker/for-mac#6529, testcontainers/testcontainers-java#6064).
 *
 * @example
 * darwinDockerSocket('/Users/ada') // '/Users/ada/.docker/run/docker.sock'
 */
export function darwinDockerSocket(home: string): string {
  return `${home.replace(/\/+$/, '')}/.docker/run/docker.sock`;
}
