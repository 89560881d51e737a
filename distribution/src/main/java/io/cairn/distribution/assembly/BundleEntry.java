package io.cairn.distribution.assembly;

import org.osgi.framework.VersionRange;

/**
 * One {@code bundle.<symbolic name> = <folder> <version range>} line of a descriptor.
 *
 * @param symbolicName the bundle's {@code Bundle-SymbolicName}
 * @param folder       where it goes in the runtime folder: {@code lib}, {@code system/<start level>},
 *                     {@code deploy} or {@code plugins}
 * @param range        the versions accepted
 * @param rangeText    the text of the range as the descriptor wrote it, for messages
 */
public record BundleEntry(String symbolicName, String folder, VersionRange range, String rangeText) {
}
