//! The archive: the end record and the central directory of the zip file, read within limits.

#[allow(unused_imports)]
use super::*;

pub(super) const LOCAL_HEADER: u32 = 0x0403_4b50;
pub(super) const CENTRAL_HEADER: u32 = 0x0201_4b50;
pub(super) const END_RECORD: u32 = 0x0605_4b50;
pub(super) const ZIP64_END_RECORD: u32 = 0x0606_4b50;
pub(super) const ZIP64_LOCATOR: u32 = 0x0706_4b50;
/// The compound file format of password-protected workbooks and old .xls files.
pub(super) const COMPOUND_FILE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

pub(super) fn bytes_at<const N: usize>(b: &[u8], at: usize) -> Option<[u8; N]> {
    b.get(at..at.checked_add(N)?)?.try_into().ok()
}

pub(super) fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    bytes_at(b, at).map(u16::from_le_bytes)
}

pub(super) fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    bytes_at(b, at).map(u32::from_le_bytes)
}

pub(super) fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    bytes_at(b, at).map(u64::from_le_bytes)
}

/// One entry of the central directory. Sizes and offsets as declared: they say where to look,
/// never how much to expect.
#[derive(Clone, Debug)]
pub(super) struct Entry {
    /// Where the name is in the file.
    pub(super) name: (usize, usize),
    pub(super) flags: u16,
    pub(super) method: u16,
    pub(super) crc: u32,
    pub(super) compressed: u64,
    pub(super) uncompressed: u64,
    pub(super) local: u64,
}

/// The end-of-archive record: the last one in the file, whose comment ends the file exactly.
pub(super) fn find_end_record(b: &[u8]) -> Option<usize> {
    let last = b.len().checked_sub(22)?;
    let first = last.saturating_sub(usize::from(u16::MAX));
    (first..=last).rev().find(|&at| {
        u32_at(b, at) == Some(END_RECORD)
            && u16_at(b, at + 20).is_some_and(|c| at + 22 + usize::from(c) == b.len())
    })
}

/// The central directory, read in one pass over at most `limits.entries` records.
pub(super) fn central_directory(b: &[u8], limits: &Limits) -> Result<Vec<Entry>, Refusal> {
    let end = find_end_record(b).ok_or(Refusal::NotXlsx)?;
    let field16 = |at: usize| u16_at(b, end + at).ok_or(Refusal::NotXlsx);
    let field32 = |at: usize| u32_at(b, end + at).ok_or(Refusal::NotXlsx);
    let (disk, cd_disk) = (field16(4)?, field16(6)?);
    let count16 = field16(10)?;
    let (size32, offset32) = (field32(12)?, field32(16)?);
    let (count, size, offset, directory_end) =
        if count16 == u16::MAX || size32 == u32::MAX || offset32 == u32::MAX {
            // Zip64: the real figures are in a second end record that a locator points to.
            let locator = end.checked_sub(20).ok_or(Refusal::NotXlsx)?;
            if u32_at(b, locator) != Some(ZIP64_LOCATOR) {
                return Err(Refusal::NotXlsx);
            }
            let record = u64_at(b, locator + 8)
                .and_then(|r| usize::try_from(r).ok())
                .filter(|r| *r < locator)
                .ok_or(Refusal::NotXlsx)?;
            if u32_at(b, record) != Some(ZIP64_END_RECORD) {
                return Err(Refusal::NotXlsx);
            }
            let read = |at: usize| u64_at(b, record + at).ok_or(Refusal::NotXlsx);
            (read(32)?, read(40)?, read(48)?, record)
        } else {
            (
                u64::from(count16),
                u64::from(size32),
                u64::from(offset32),
                end,
            )
        };
    if count > limits.entries {
        return Err(Refusal::TooManyEntries {
            count,
            limit: limits.entries,
        });
    }
    if disk != 0 || cd_disk != 0 {
        return Err(Refusal::NotXlsx);
    }
    let start = usize::try_from(offset).map_err(|_| Refusal::NotXlsx)?;
    let stop = usize::try_from(size)
        .ok()
        .and_then(|s| start.checked_add(s))
        .filter(|s| *s <= directory_end)
        .ok_or(Refusal::NotXlsx)?;
    let mut entries = Vec::new();
    let mut at = start;
    for _ in 0..count {
        if u32_at(b, at) != Some(CENTRAL_HEADER) {
            return Err(Refusal::NotXlsx);
        }
        let h16 = |o: usize| u16_at(b, at + o).ok_or(Refusal::NotXlsx);
        let h32 = |o: usize| u32_at(b, at + o).ok_or(Refusal::NotXlsx);
        let name_len = usize::from(h16(28)?);
        let extra_len = usize::from(h16(30)?);
        let comment_len = usize::from(h16(32)?);
        let name_at = at + 46;
        let extra_at = name_at + name_len;
        let next = extra_at + extra_len + comment_len;
        if next > stop {
            return Err(Refusal::NotXlsx);
        }
        let mut entry = Entry {
            name: (name_at, name_len),
            flags: h16(8)?,
            method: h16(10)?,
            crc: h32(16)?,
            compressed: u64::from(h32(20)?),
            uncompressed: u64::from(h32(24)?),
            local: u64::from(h32(42)?),
        };
        let extra = b.get(extra_at..extra_at + extra_len).unwrap_or(&[]);
        apply_zip64_extra(&mut entry, extra);
        entries.push(entry);
        at = next;
    }
    Ok(entries)
}

/// Sizes and offsets too large for the 32-bit fields are in the Zip64 extra field, in order,
/// for those fields that hold 0xFFFFFFFF.
pub(super) fn apply_zip64_extra(e: &mut Entry, extra: &[u8]) {
    let mut at = 0;
    while let (Some(id), Some(len)) = (u16_at(extra, at), u16_at(extra, at + 2)) {
        let body = extra.get(at + 4..at + 4 + usize::from(len)).unwrap_or(&[]);
        if id == 1 {
            let mut field = 0;
            let mut next = || {
                let v = u64_at(body, field);
                field += 8;
                v
            };
            for slot in [&mut e.uncompressed, &mut e.compressed, &mut e.local] {
                if *slot == u64::from(u32::MAX) {
                    if let Some(v) = next() {
                        *slot = v;
                    }
                }
            }
            return;
        }
        at += 4 + usize::from(len);
    }
}
