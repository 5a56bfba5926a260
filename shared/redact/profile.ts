/**
 * The de-identification profile as data: PS3.15 Annex E, Table E.1-1, Basic
 * Application Level Confidentiality Profile, with the Retain Longitudinal
 * Temporal Information with Modified Dates Option (E.3.6) and without the
 * Retain UIDs Option (E.3.9: UIDs are mapped). Each row keeps Annex E's own
 * action code beside the one applied, so a reader can check the choice:
 *
 *   keep     K   left as it is
 *   remove   X   the element is left out (in a query identifier: emptied, see below)
 *   empty    Z   kept with a zero-length value
 *   dummy    D   a fixed value of its VR; a person name gets a consistent pseudonym
 *   uid      U   mapped to 2.25.<keyed hash> (pseudonyms.ts), the same everywhere
 *   shift    C   dates moved by the file's date shift (date-shift.ts)
 *   recurse  U*  a sequence kept, each item cleaned with this same table
 *   ae       -   an AE title: mapped only with --redact-network
 *   deid     -   set by the redactor (Patient Identity Removed and friends)
 *   patient-name, patient-id, accession, study-id
 *            Z/D a consistent pseudonym: Annex E allows a dummy value, and a
 *                consistent one keeps C-FIND matches and responses lined up
 *
 * Where Annex E offers X/Z/U* for a reference sequence the U* branch is
 * taken (keep the sequence, map its UIDs), so links between instances hold;
 * Referenced Study Sequence and Request Attributes Sequence (X/Z and X in
 * Annex E) are treated the same way, their items being cleaned by the rows
 * below. Anything not in the table falls to the rules of `profileAction`:
 * private groups and group lengths removed, person names pseudonymised, UIDs
 * mapped, dates shifted, AE titles left to the network option, sequences
 * recursed, everything else kept (Annex E lists what must change) — except a
 * tag the data dictionary does not know, which the rewriter removes
 * (dataset-rewriter.ts: it cannot be judged).
 */
import type { PseudonymDomain } from './pseudonyms.ts';

export type ProfileAction =
  | 'keep'
  | 'remove'
  | 'empty'
  | 'dummy'
  | 'uid'
  | 'shift'
  | 'recurse'
  | 'ae'
  | 'deid'
  | 'patient-name'
  | 'patient-id'
  | 'accession'
  | 'study-id';

/** The actions that replace a value by a consistent pseudonym, and the pseudonym's domain. */
export const PSEUDONYM_DOMAIN: Readonly<Partial<Record<ProfileAction, PseudonymDomain>>> = Object.freeze({
  'patient-name': 'patient-name',
  'patient-id': 'patient-id',
  accession: 'accession',
  'study-id': 'study-id',
});

/** [tag, keyword, Annex E basic profile code, action applied]. */
type Row = readonly [number, string, string, ProfileAction];

const ROWS: readonly Row[] = [
  // File meta information never travels over the network, but a broken peer may send group 0002 in a data set.
  [0x00020002, 'MediaStorageSOPClassUID', 'K', 'keep'],
  [0x00020003, 'MediaStorageSOPInstanceUID', 'U', 'uid'],
  [0x00020010, 'TransferSyntaxUID', 'K', 'keep'],
  [0x00020012, 'ImplementationClassUID', 'K', 'keep'],
  [0x00041510, 'ReferencedSOPClassUIDInFile', 'K', 'keep'],
  [0x00041511, 'ReferencedSOPInstanceUIDInFile', 'U', 'uid'],
  [0x00041512, 'ReferencedTransferSyntaxUIDInFile', 'K', 'keep'],
  // Class and coding-scheme UIDs name kinds of things, not people: kept (not in Annex E).
  [0x00080016, 'SOPClassUID', 'K', 'keep'],
  [0x0008001a, 'RelatedGeneralSOPClassUID', 'K', 'keep'],
  [0x0008001b, 'OriginalSpecializedSOPClassUID', 'K', 'keep'],
  [0x00080062, 'SOPClassesInStudy', 'K', 'keep'],
  [0x0008010c, 'CodingSchemeUID', 'K', 'keep'],
  [0x00080117, 'ContextUID', 'K', 'keep'],
  [0x00080118, 'MappingResourceUID', 'K', 'keep'],
  [0x00081150, 'ReferencedSOPClassUID', 'K', 'keep'],
  // Group 0008.
  [0x00080014, 'InstanceCreatorUID', 'U', 'uid'],
  [0x00080018, 'SOPInstanceUID', 'U', 'uid'],
  [0x00080050, 'AccessionNumber', 'Z', 'accession'],
  [0x00080080, 'InstitutionName', 'X/Z/D', 'remove'],
  [0x00080081, 'InstitutionAddress', 'X', 'remove'],
  [0x00080082, 'InstitutionCodeSequence', 'X/Z/D', 'remove'],
  [0x00080090, 'ReferringPhysicianName', 'Z', 'empty'],
  [0x00080092, 'ReferringPhysicianAddress', 'X', 'remove'],
  [0x00080094, 'ReferringPhysicianTelephoneNumbers', 'X', 'remove'],
  [0x00080096, 'ReferringPhysicianIdentificationSequence', 'X', 'remove'],
  [0x0008009c, 'ConsultingPhysicianName', 'Z', 'empty'],
  [0x0008009d, 'ConsultingPhysicianIdentificationSequence', 'X', 'remove'],
  [0x00080201, 'TimezoneOffsetFromUTC', 'X', 'remove'],
  [0x00081010, 'StationName', 'X/Z/D', 'remove'],
  [0x00081030, 'StudyDescription', 'X', 'remove'],
  [0x0008103e, 'SeriesDescription', 'X', 'remove'],
  [0x00081040, 'InstitutionalDepartmentName', 'X', 'remove'],
  [0x00081041, 'InstitutionalDepartmentTypeCodeSequence', 'X', 'remove'],
  [0x00081048, 'PhysiciansOfRecord', 'X', 'remove'],
  [0x00081049, 'PhysiciansOfRecordIdentificationSequence', 'X', 'remove'],
  [0x00081050, 'PerformingPhysicianName', 'X', 'remove'],
  [0x00081052, 'PerformingPhysicianIdentificationSequence', 'X', 'remove'],
  [0x00081060, 'NameOfPhysiciansReadingStudy', 'X', 'remove'],
  [0x00081062, 'PhysiciansReadingStudyIdentificationSequence', 'X', 'remove'],
  [0x00081070, 'OperatorsName', 'X/Z/D', 'remove'],
  [0x00081072, 'OperatorIdentificationSequence', 'X/D', 'remove'],
  [0x00081080, 'AdmittingDiagnosesDescription', 'X', 'remove'],
  [0x00081084, 'AdmittingDiagnosesCodeSequence', 'X', 'remove'],
  [0x00081110, 'ReferencedStudySequence', 'X/Z', 'recurse'],
  [0x00081111, 'ReferencedPerformedProcedureStepSequence', 'X/Z/D', 'recurse'],
  [0x00081120, 'ReferencedPatientSequence', 'X', 'remove'],
  [0x00081140, 'ReferencedImageSequence', 'X/Z/U*', 'recurse'],
  [0x00081155, 'ReferencedSOPInstanceUID', 'U', 'uid'],
  [0x00081195, 'TransactionUID', 'U', 'uid'],
  [0x00082111, 'DerivationDescription', 'X', 'remove'],
  [0x00082112, 'SourceImageSequence', 'X/Z/U*', 'recurse'],
  [0x00083010, 'IrradiationEventUID', 'U', 'uid'],
  [0x00084000, 'IdentifyingComments', 'X', 'remove'],
  // Group 0010: the patient.
  [0x00100010, 'PatientName', 'Z', 'patient-name'],
  [0x00100020, 'PatientID', 'Z', 'patient-id'],
  [0x00100021, 'IssuerOfPatientID', 'X', 'remove'],
  [0x00100030, 'PatientBirthDate', 'Z', 'empty'],
  [0x00100032, 'PatientBirthTime', 'X', 'remove'],
  [0x00100040, 'PatientSex', 'Z', 'empty'],
  [0x00100050, 'PatientInsurancePlanCodeSequence', 'X', 'remove'],
  [0x00100101, 'PatientPrimaryLanguageCodeSequence', 'X', 'remove'],
  [0x00100102, 'PatientPrimaryLanguageModifierCodeSequence', 'X', 'remove'],
  [0x00101000, 'OtherPatientIDs', 'X', 'remove'],
  [0x00101001, 'OtherPatientNames', 'X', 'remove'],
  [0x00101002, 'OtherPatientIDsSequence', 'X', 'remove'],
  [0x00101005, 'PatientBirthName', 'X', 'remove'],
  [0x00101010, 'PatientAge', 'X', 'remove'],
  [0x00101020, 'PatientSize', 'X', 'remove'],
  [0x00101030, 'PatientWeight', 'X', 'remove'],
  [0x00101040, 'PatientAddress', 'X', 'remove'],
  [0x00101050, 'InsurancePlanIdentification', 'X', 'remove'],
  [0x00101060, 'PatientMotherBirthName', 'X', 'remove'],
  [0x00101080, 'MilitaryRank', 'X', 'remove'],
  [0x00101081, 'BranchOfService', 'X', 'remove'],
  [0x00101090, 'MedicalRecordLocator', 'X', 'remove'],
  [0x00102000, 'MedicalAlerts', 'X', 'remove'],
  [0x00102110, 'Allergies', 'X', 'remove'],
  [0x00102150, 'CountryOfResidence', 'X', 'remove'],
  [0x00102152, 'RegionOfResidence', 'X', 'remove'],
  [0x00102154, 'PatientTelephoneNumbers', 'X', 'remove'],
  [0x00102160, 'EthnicGroup', 'X', 'remove'],
  [0x00102180, 'Occupation', 'X', 'remove'],
  [0x001021a0, 'SmokingStatus', 'X', 'remove'],
  [0x001021b0, 'AdditionalPatientHistory', 'X', 'remove'],
  [0x001021c0, 'PregnancyStatus', 'X', 'remove'],
  [0x001021d0, 'LastMenstrualDate', 'X', 'remove'],
  [0x001021f0, 'PatientReligiousPreference', 'X', 'remove'],
  [0x00102203, 'PatientSexNeutered', 'X/Z', 'remove'],
  [0x00102297, 'ResponsiblePerson', 'X', 'remove'],
  [0x00102299, 'ResponsibleOrganization', 'X', 'remove'],
  [0x00104000, 'PatientComments', 'X', 'remove'],
  // Set by the redactor in every instance it rewrites (PS3.15 E.1.1, E.3.6).
  [0x00120062, 'PatientIdentityRemoved', '-', 'deid'],
  [0x00120063, 'DeidentificationMethod', '-', 'deid'],
  [0x00280303, 'LongitudinalTemporalInformationModified', '-', 'deid'],
  // Equipment and acquisition.
  [0x00181000, 'DeviceSerialNumber', 'X/Z/D', 'remove'],
  [0x00181002, 'DeviceUID', 'U', 'uid'],
  [0x00181004, 'PlateID', 'X', 'remove'],
  [0x00181005, 'GeneratorID', 'X', 'remove'],
  [0x00181007, 'CassetteID', 'X', 'remove'],
  [0x00181008, 'GantryID', 'X', 'remove'],
  [0x00181030, 'ProtocolName', 'X/D', 'remove'],
  [0x00181400, 'AcquisitionDeviceProcessingDescription', 'X/D', 'remove'],
  [0x00184000, 'AcquisitionComments', 'X', 'remove'],
  [0x0018700a, 'DetectorID', 'X/D', 'remove'],
  [0x00189424, 'AcquisitionProtocolDescription', 'X', 'remove'],
  [0x0018a003, 'ContributionDescription', 'X', 'remove'],
  // Study, series, frame of reference.
  [0x0020000d, 'StudyInstanceUID', 'U', 'uid'],
  [0x0020000e, 'SeriesInstanceUID', 'U', 'uid'],
  [0x00200010, 'StudyID', 'Z', 'study-id'],
  [0x00200052, 'FrameOfReferenceUID', 'U', 'uid'],
  [0x00200200, 'SynchronizationFrameOfReferenceUID', 'U', 'uid'],
  [0x00204000, 'ImageComments', 'X', 'remove'],
  [0x00209158, 'FrameComments', 'X', 'remove'],
  [0x00209161, 'ConcatenationUID', 'U', 'uid'],
  [0x00209164, 'DimensionOrganizationUID', 'U', 'uid'],
  [0x00281199, 'PaletteColorLookupTableUID', 'U', 'uid'],
  [0x00281214, 'LargePaletteColorLookupTableUID', 'U', 'uid'],
  [0x00284000, 'ImagePresentationComments', 'X', 'remove'],
  // Study scheduling, visits (groups 0032, 0038).
  [0x00320012, 'StudyIDIssuer', 'X', 'remove'],
  [0x00321020, 'ScheduledStudyLocation', 'X', 'remove'],
  [0x00321021, 'ScheduledStudyLocationAETitle', 'X', 'remove'],
  [0x00321030, 'ReasonForStudy', 'X', 'remove'],
  [0x00321032, 'RequestingPhysician', 'X', 'remove'],
  [0x00321033, 'RequestingService', 'X/Z', 'remove'],
  [0x00321060, 'RequestedProcedureDescription', 'X/Z', 'remove'],
  [0x00321070, 'RequestedContrastAgent', 'X', 'remove'],
  [0x00324000, 'StudyComments', 'X', 'remove'],
  [0x00380004, 'ReferencedPatientAliasSequence', 'X', 'remove'],
  [0x00380010, 'AdmissionID', 'X', 'remove'],
  [0x00380011, 'IssuerOfAdmissionID', 'X', 'remove'],
  [0x0038001e, 'ScheduledPatientInstitutionResidence', 'X', 'remove'],
  [0x00380040, 'DischargeDiagnosisDescription', 'X', 'remove'],
  [0x00380050, 'SpecialNeeds', 'X', 'remove'],
  [0x00380060, 'ServiceEpisodeID', 'X', 'remove'],
  [0x00380061, 'IssuerOfServiceEpisodeID', 'X', 'remove'],
  [0x00380062, 'ServiceEpisodeDescription', 'X', 'remove'],
  [0x00380300, 'CurrentPatientLocation', 'X', 'remove'],
  [0x00380400, 'PatientInstitutionResidence', 'X', 'remove'],
  [0x00380500, 'PatientState', 'X', 'remove'],
  [0x00384000, 'VisitComments', 'X', 'remove'],
  // Procedure steps and requests (group 0040).
  [0x00400001, 'ScheduledStationAETitle', 'X', 'remove'],
  [0x00400006, 'ScheduledPerformingPhysicianName', 'X', 'remove'],
  [0x00400007, 'ScheduledProcedureStepDescription', 'X', 'remove'],
  [0x00400009, 'ScheduledProcedureStepID', 'X', 'remove'],
  [0x0040000b, 'ScheduledPerformingPhysicianIdentificationSequence', 'X', 'remove'],
  [0x00400010, 'ScheduledStationName', 'X', 'remove'],
  [0x00400011, 'ScheduledProcedureStepLocation', 'X', 'remove'],
  [0x00400012, 'PreMedication', 'X', 'remove'],
  [0x00400241, 'PerformedStationAETitle', 'X', 'remove'],
  [0x00400242, 'PerformedStationName', 'X', 'remove'],
  [0x00400243, 'PerformedLocation', 'X', 'remove'],
  [0x00400253, 'PerformedProcedureStepID', 'X', 'remove'],
  [0x00400254, 'PerformedProcedureStepDescription', 'X', 'remove'],
  [0x00400275, 'RequestAttributesSequence', 'X', 'recurse'],
  [0x00400280, 'CommentsOnThePerformedProcedureStep', 'X', 'remove'],
  [0x00400555, 'AcquisitionContextSequence', 'X', 'remove'],
  [0x00401001, 'RequestedProcedureID', 'X', 'remove'],
  [0x00401002, 'ReasonForTheRequestedProcedure', 'X', 'remove'],
  [0x00401004, 'PatientTransportArrangements', 'X', 'remove'],
  [0x00401005, 'RequestedProcedureLocation', 'X', 'remove'],
  [0x00401010, 'NamesOfIntendedRecipientsOfResults', 'X', 'remove'],
  [0x00401011, 'IntendedRecipientsOfResultsIdentificationSequence', 'X', 'remove'],
  [0x00401101, 'PersonIdentificationCodeSequence', 'D', 'remove'],
  [0x00401102, 'PersonAddress', 'X', 'remove'],
  [0x00401103, 'PersonTelephoneNumbers', 'X', 'remove'],
  [0x00401400, 'RequestedProcedureComments', 'X', 'remove'],
  [0x00402001, 'ReasonForTheImagingServiceRequest', 'X', 'remove'],
  [0x00402008, 'OrderEnteredBy', 'X', 'remove'],
  [0x00402009, 'OrderEntererLocation', 'X', 'remove'],
  [0x00402010, 'OrderCallbackPhoneNumber', 'X', 'remove'],
  [0x00402016, 'PlacerOrderNumberImagingServiceRequest', 'Z', 'empty'],
  [0x00402017, 'FillerOrderNumberImagingServiceRequest', 'Z', 'empty'],
  [0x00402400, 'ImagingServiceRequestComments', 'X', 'remove'],
  [0x00403001, 'ConfidentialityConstraintOnPatientDataDescription', 'X', 'remove'],
  [0x0040a027, 'VerifyingOrganization', 'X', 'remove'],
  [0x0040a073, 'VerifyingObserverSequence', 'D', 'recurse'],
  [0x0040a075, 'VerifyingObserverName', 'D', 'dummy'],
  [0x0040a078, 'AuthorObserverSequence', 'X', 'remove'],
  [0x0040a07a, 'ParticipantSequence', 'X', 'remove'],
  [0x0040a07c, 'CustodialOrganizationSequence', 'X', 'remove'],
  [0x0040a088, 'VerifyingObserverIdentificationCodeSequence', 'Z', 'empty'],
  [0x0040a123, 'PersonName', 'D', 'dummy'],
  [0x0040a124, 'UID', 'U', 'uid'],
  [0x0040a730, 'ContentSequence', 'X', 'remove'],
  [0x0040db0c, 'TemplateExtensionOrganizationUID', 'U', 'uid'],
  [0x0040db0d, 'TemplateExtensionCreatorUID', 'U', 'uid'],
  [0x00700084, 'ContentCreatorName', 'Z', 'empty'],
  [0x00700086, 'ContentCreatorIdentificationCodeSequence', 'X', 'remove'],
  [0x00880140, 'StorageMediaFileSetUID', 'U', 'uid'],
  [0x00880200, 'IconImageSequence', 'X', 'remove'],
  [0x00880904, 'TopicTitle', 'X', 'remove'],
  [0x00880906, 'TopicSubject', 'X', 'remove'],
  [0x00880910, 'TopicAuthor', 'X', 'remove'],
  [0x00880912, 'TopicKeywords', 'X', 'remove'],
  // Signatures and audit trails would carry the original values.
  [0x04000100, 'DigitalSignatureUID', 'X', 'remove'],
  [0x04000402, 'ReferencedDigitalSignatureSequence', 'X', 'remove'],
  [0x04000403, 'ReferencedSOPInstanceMACSequence', 'X', 'remove'],
  [0x04000404, 'MAC', 'X', 'remove'],
  [0x04000550, 'ModifiedAttributesSequence', 'X', 'remove'],
  [0x04000561, 'OriginalAttributesSequence', 'X', 'remove'],
  // RT.
  [0x30060024, 'ReferencedFrameOfReferenceUID', 'U', 'uid'],
  [0x300600c2, 'RelatedFrameOfReferenceUID', 'U', 'uid'],
  [0x300a0013, 'DoseReferenceUID', 'U', 'uid'],
  // Free text and interpretation (retired groups 4000, 4008).
  [0x40000010, 'Arbitrary', 'X', 'remove'],
  [0x40004000, 'TextComments', 'X', 'remove'],
  [0x40080042, 'ResultsIDIssuer', 'X', 'remove'],
  [0x40080102, 'InterpretationRecorder', 'X', 'remove'],
  [0x4008010a, 'InterpretationTranscriber', 'X', 'remove'],
  [0x4008010b, 'InterpretationText', 'X', 'remove'],
  [0x4008010c, 'InterpretationAuthor', 'X', 'remove'],
  [0x40080111, 'InterpretationApproverSequence', 'X', 'remove'],
  [0x40080114, 'PhysicianApprovingInterpretation', 'X', 'remove'],
  [0x40080115, 'InterpretationDiagnosisDescription', 'X', 'remove'],
  [0x40080118, 'ResultsDistributionListSequence', 'X', 'remove'],
  [0x40080119, 'DistributionName', 'X', 'remove'],
  [0x4008011a, 'DistributionAddress', 'X', 'remove'],
  [0x40080202, 'InterpretationIDIssuer', 'X', 'remove'],
  [0x40080300, 'Impressions', 'X', 'remove'],
  [0x40084000, 'ResultsComments', 'X', 'remove'],
  [0xfffafffa, 'DigitalSignaturesSequence', 'X', 'remove'],
  [0xfffcfffc, 'DataSetTrailingPadding', 'X', 'remove'],
];

export interface ProfileRow {
  keyword: string;
  annexE: string;
  action: ProfileAction;
}

export const PROFILE: ReadonlyMap<number, ProfileRow> = new Map(ROWS.map(([tag, keyword, annexE, action]) => [tag, Object.freeze({ keyword, annexE, action })]));

/** The profile's name, as recorded in a redacted recording and in De-identification Method (0012,0063). */
export const PROFILE_NAME = 'PS3.15 Annex E Basic Application Level Confidentiality Profile';
export const PROFILE_OPTIONS = Object.freeze(['Retain Longitudinal Temporal Information with Modified Dates Option']);

/**
 * What happens to an element, by tag and VR (the wire VR in explicit VR, the
 * dictionary's in implicit VR).
 */
export function profileAction(tag: number, vr: string): ProfileAction {
  const group = tag >>> 16;
  const element = tag & 0xffff;
  // Group lengths (gggg,0000) are retired in data sets (PS3.5 §7.2) and would be wrong once values change.
  if (element === 0x0000) return 'remove';
  // Private data elements (PS3.5 §7.8): Annex E removes them all (the Retain Safe Private Option is not applied).
  if (group % 2 === 1) return 'remove';
  const row = PROFILE.get(tag);
  if (row) return row.action;
  // Repeating groups: Curve Data (50xx,xxxx), Overlay Data (60xx,3000), Overlay Comments (60xx,4000): X.
  if ((group & 0xff00) === 0x5000) return 'remove';
  if ((group & 0xff00) === 0x6000 && (element === 0x3000 || element === 0x4000)) return 'remove';
  switch (vr) {
    case 'PN':
      return 'dummy';
    case 'UI':
      return 'uid';
    case 'DA':
    case 'DT':
      return 'shift';
    case 'AE':
      return 'ae';
    case 'SQ':
      return 'recurse';
    default:
      return 'keep';
  }
}
